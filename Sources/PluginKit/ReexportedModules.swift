// Plugins depend on PluginKit alone, and get the text toolkit the host uses with it
// (`Timestamp`, `JSONString`, `DecimalText`), so there is one of each for every plugin.
@_exported import PatternText
