using Gateway.BenchPlot;

// gateway-benchplot <results.jsonl> <table.md> <plot.png> [base label] [subject label]
if (args.Length < 3)
{
    Console.Error.WriteLine("Usage: Gateway.BenchPlot <results.jsonl> <table.md> <plot.png> [base label (nchan)] [subject label (gateway)]");
    return 2;
}

var rows = File.ReadLines(args[0])
    .Where(line => line.TrimStart().StartsWith('{'))
    .Select(BenchRow.Parse)
    .ToList();
if (rows.Count == 0)
{
    Console.Error.WriteLine($"{args[0]} has no results.");
    return 1;
}

var baseLabel = args.Length > 3 ? args[3] : "nchan";
var subjectLabel = args.Length > 4 ? args[4] : "gateway";
var table = BenchTable.Render(rows, baseLabel, subjectLabel);
await File.WriteAllTextAsync(args[1], table);
BenchPlotter.Save(rows, [baseLabel, subjectLabel], args[2]);
Console.Write(table);
Console.WriteLine($"Table: {args[1]}; plot: {args[2]}");
return 0;
