/// Facts about this build of the host.
public enum HostInfo {
    public static let version = "0.1.0"
}
