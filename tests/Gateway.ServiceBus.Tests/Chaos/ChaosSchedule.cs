namespace Gateway.ServiceBus.Tests.Chaos;

/// <summary>
/// The faults of a run, drawn from its seed alone (so a failing seed replays the same schedule): each fault at a
/// random moment of the middle 80% of the production window, kills alternating between the two instances, and a
/// random downtime per fault. Faults on different targets may overlap; a target's next fault waits for its restart.
/// </summary>
public static class ChaosSchedule
{
    public static IReadOnlyList<ChaosFault> Plan(ChaosRunOptions options)
    {
        var random = new Random(options.Seed);
        var kinds = Enumerable.Repeat(ChaosFaultKind.KillInstance, options.InstanceKills)
            .Concat(Enumerable.Repeat(ChaosFaultKind.RestartAzurite, options.AzuriteRestarts))
            .Concat(Enumerable.Repeat(ChaosFaultKind.RestartBroker, options.BrokerRestarts))
            .ToArray();
        random.Shuffle(kinds);

        var window = options.ProduceFor;
        var times = kinds.Select(_ => window * (0.1 + (0.8 * random.NextDouble()))).Order().ToArray();
        var firstVictim = random.Next(2);
        var kills = 0;
        var faults = new List<ChaosFault>(kinds.Length);
        for (var i = 0; i < kinds.Length; i++)
        {
            var kind = kinds[i];
            var instance = kind == ChaosFaultKind.KillInstance ? (firstVictim + kills++) % 2 : -1;
            var down = kind switch
            {
                ChaosFaultKind.KillInstance => TimeSpan.FromMilliseconds(random.Next(200, 2000)),
                _ => TimeSpan.FromMilliseconds(random.Next(500, 3000)),
            };
            faults.Add(new ChaosFault(times[i], kind, instance, down));
        }

        return faults;
    }
}
