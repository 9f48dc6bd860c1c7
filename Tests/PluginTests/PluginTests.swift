import Testing

/// Every plugin suite nests here: the test host is one per process, so they run one at a time.
@Suite(.serialized) struct PluginTests {}
