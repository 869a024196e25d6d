namespace Gateway.TestBroker.Administration;

/// <summary>One HTTP/1.1 request as the administration client sends it.</summary>
internal sealed record HttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);
