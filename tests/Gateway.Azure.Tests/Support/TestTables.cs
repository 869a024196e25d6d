namespace Gateway.Azure.Tests.Support;

/// <summary>A fresh table name per test, so tests that share one Azurite never see each other's rows.</summary>
public static class TestTables
{
    public static string NewName() => "t" + Guid.NewGuid().ToString("N")[..20];
}
