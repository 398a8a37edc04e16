using System.Diagnostics;
using System.Runtime.CompilerServices;
using MilkCheck.Engine.Tests.Ssh;
using MilkCheck.Execution;
using MilkCheck.Execution.Ssh;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using ActionResult = MilkCheck.ActionResult;

// End-to-end scenarios measured with a Stopwatch: each runs once to warm up, then N times; the median is
// reported next to its target. Run through `build.ps1 -Task Bench` (Release build).
var scenarios = new List<Scenario>
{
    new("nodeset: parse + fold 100,000 names (r[1-100]c[1-1000])", "< 500 ms", 5, () =>
    {
        var names = new List<string>(100_000);
        for (int r = 1; r <= 100; r++)
            for (int c = 1; c <= 1000; c++)
                names.Add($"r{r}c{c}");
        return () =>
        {
            NodeSet set = NodeSet.FromList(names);
            Check(set.ToString() == "r[1-100]c[1-1000]", set.ToString());
            return null;
        };
    }),
    new("nodeset: fold 3,000 scattered 2-D names", "< 100 ms", 5, () =>
    {
        var random = new Random(7);
        var names = new List<string>();
        var seen = new HashSet<string>();
        while (names.Count < 3000)
        {
            string name = $"rack{random.Next(1, 200)}node{random.Next(1, 200)}";
            if (seen.Add(name))
                names.Add(name);
        }
        return () =>
        {
            NodeSet set = NodeSet.FromList(names);
            Check(set.Count == 3000, set.Count.ToString());
            return set.ToString().Length > 0 ? null : "empty";
        };
    }),
    new("nodeset: parse + fold 100,000 scattered 1-D names", "(report)", 5, () =>
    {
        var names = Enumerable.Range(0, 100_000).Select(i => $"node{(i * 7919) % 1_000_003}").ToList();
        return () => { Check(NodeSet.FromList(names).Count == 100_000, "count"); return null; };
    }),
    new("nodeset: count node[1-99999999]", "instant", 5, () => () =>
    {
        Check(NodeSet.Parse("node[1-99999999]").Count == 99_999_999, "count");
        return null;
    }),
    new("nodeset: expand node[1-1000000] (streamed)", "(report)", 3, () => () =>
    {
        long n = 0;
        long before = GC.GetTotalMemory(true);
        long peak = 0;
        foreach (string name in NodeSet.Parse("node[1-1000000]"))
        {
            if (++n % 100_000 == 0)
                peak = Math.Max(peak, GC.GetTotalMemory(false) - before);
        }
        Check(n == 1_000_000, n.ToString());
        return $"live heap growth while streaming ≤ {peak / 1024 / 1024} MiB (1M strings would be ≈ 40 MiB)";
    }),
    new("config: load 34 services x 5 actions (groups, variables)", "< 50 ms", 10, () => LoadScenario(34)),
    new("config: load 1,000 services x 5 actions", "< 500 ms", 5, () => LoadScenario(1000)),
    new("config: load 1,000 chained services", "(report)", 3, () => ChainScenario(1_000)),
    new("config: load 5,000 chained services", "(report)", 3, () => ChainScenario(5_000)),
    new("config: load 10,000 chained services", "(report)", 3, () => ChainScenario(10_000)),
    new("config: load 25,000 chained services", "(report)", 3, () => ChainScenario(25_000)),
    new("config: load 50,000 chained services", "linear", 3, () => ChainScenario(50_000)),
    new("baseline: 300 x /bin/sh -c true, back to back", "(baseline)", 3, () => () => { Spawn(300); return null; }),
    new("run: 300-service local DAG of true (depth 10)", "<= 1.5x", 3, () => DagScenario(300, 10))
        { Baseline = "baseline: 300 x /bin/sh -c true, back to back" },
    new("baseline: 1,000 x /bin/sh -c true, back to back", "(baseline)", 3, () => () => { Spawn(1000); return null; }),
    new("run: exec mode, 1,000 nodes, fanout 64", "<= 1.5x", 3, ExecScenario)
        { Baseline = "baseline: 1,000 x /bin/sh -c true, back to back" },
    new("run: 34 services x 4,000 nodes, short output (fake transport)", "(report)", 3, MemoryScenario),
    new("run: the same through MilkCheckRun, no journal", "(baseline)", 3, () => JournalScenario(journal: false)),
    new("run: the same through MilkCheckRun, with its journal", "(report)", 3, () => JournalScenario(journal: true))
        { Baseline = "run: the same through MilkCheckRun, no journal" },
};
// A child process for "first run of a fresh process": runs the long-command scenario a few times and prints one
// line per run (see FreshRuns).
if (args.Length >= 8 && args[0] == "--fresh-long")
{
    var farmSettings = new SshTransportOptions(args[1], args[2], args[3], TimeSpan.FromSeconds(10), 10,
        MaxHandshakes: args.Length > 8 ? int.Parse(args[8]) : null);
    int runs = int.Parse(args[4]), nodes = int.Parse(args[5]), fanout = int.Parse(args[7]);
    Func<string?> once = LongScenario(farmSettings, nodes, args[6], fanout);
    for (int i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        string? note = once();
        Console.WriteLine($"{watch.Elapsed.TotalMilliseconds:F0}\t{note}");
    }
    return;
}
// The child of the connections-kept scenario (PersistScale), and that scenario alone: --persist-scale [nodes...].
if (args.Length >= 2 && args[0] == "--persist-child")
{
    PersistScale.Child(int.Parse(args[1]));
    return;
}
if (Array.IndexOf(args, "--persist-scale") is int scaleAt and >= 0)
{
    int[] sizes = args.Skip(scaleAt + 1).TakeWhile(a => int.TryParse(a, out _)).Select(int.Parse).ToArray();
    PersistScale.Report(sizes.Length > 0 ? sizes : new[] { 200, 1000 });
    return;
}
// --only <text>: the scenarios whose name contains the text (e.g. --only chained), without SSH.
int only = Array.IndexOf(args, "--only");
if (only >= 0 && only + 1 < args.Length)
    scenarios.RemoveAll(s => !s.Name.Contains(args[only + 1], StringComparison.OrdinalIgnoreCase));
bool withSsh = !args.Contains("--no-ssh") && only < 0;
if (args.Contains("--only-ssh"))
    scenarios.Clear();
// --filter TEXT: only the scenarios whose name contains TEXT (baselines they compare with included).
string? filter = Array.IndexOf(args, "--filter") is int at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
using SshdFarm? farm = withSsh ? new SshdFarm(200) : null;
if (farm is not null)
{
    string farmConfig = farm.ConfigFile;
    scenarios.Add(new("baseline: xargs -P 64 ssh, 200 nodes, cold", "(baseline)", 3, () => () =>
    {
        string nodes = string.Join('\n', Enumerable.Range(1, 200).Select(i => $"node{i}"));
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"xargs -P 64 -I{{}} ssh -F {farmConfig} -oBatchMode=yes {{}} true");
        using var process = Process.Start(start)!;
        process.StandardInput.Write(nodes + "\n");
        process.StandardInput.Close();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Check(process.ExitCode == 0, "xargs ssh failed");
        return null;
    }));
    scenarios.Add(new("ssh: 1 action on 200 nodes, cold, fanout 64, openssh", "(compare)", 3, () => SshScenario(farm, openSsh: true))
        { Baseline = "baseline: xargs -P 64 ssh, 200 nodes, cold" });
    scenarios.Add(new("ssh: 1 action on 200 nodes, cold, fanout 64, SSH.NET", "faster", 3, () => SshScenario(farm, openSsh: false))
        { Baseline = "baseline: xargs -P 64 ssh, 200 nodes, cold" });
    scenarios.Add(new("ssh: 50 commands one after the other on one open connection", "(report)", 3, () =>
    {
        var ssh = new SshNetTransport(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(10), 10));
        Check(ssh.RunAsync("node1", "true", null, CancellationToken.None).GetAwaiter().GetResult().Status == MilkCheck.NodeStatus.Ok, "connect");
        return () =>
        {
            for (int i = 0; i < 50; i++)
                Check(ssh.RunAsync("node1", "true", null, CancellationToken.None).GetAwaiter().GetResult().Status == MilkCheck.NodeStatus.Ok, "exec");
            return null;
        };
    }));
    scenarios.Add(new("ssh: 34 services over 200 nodes, SSH.NET, one run", "(report)", 1, () => ClusterScenario(farm)));
    scenarios.Add(new("ssh: 1 action on 200 nodes, fanout 256, SSH.NET", "(report)", 1, () => SshScenario(farm, openSsh: false, fanout: 256)));
    if (args.Contains("--handshakes"))
{
    // Exploration: the first run in a fresh process for several handshake caps (not part of the default bench).
    foreach (string cap in new[] { "16", "64", "256" })
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(typeof(Scenario).Assembly.Location);
        foreach (string arg in new[] { "--fresh-long", farm.Home, farm.ConfigFile, farm.User, "2", "200", "sleep 2", "256", cap })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        Console.WriteLine($"handshakes {cap}: {child.StandardOutput.ReadToEnd().Replace("\n", " | ")}");
        child.WaitForExit();
    }
    Xargs(farmConfig, 200, 200, "sleep 2");
    var w = Stopwatch.StartNew();
    Xargs(farmConfig, 200, 200, "sleep 2");
    Console.WriteLine($"xargs -P 200: {w.ElapsedMilliseconds} ms");
    return;
}
    scenarios.Add(new("baseline: xargs -P 200 ssh, 200 nodes x sleep 2", "(baseline)", 3, () => () => { Xargs(farmConfig, 200, 200, "sleep 2"); return null; }));
    var firstRun = new StrongBox<double>();
    scenarios.Add(new("ssh: 200 nodes x sleep 2, fanout 256, 1st run of a process", "<= 1.2x", 3, () => FreshRuns(farm, 200, "sleep 2", 256, firstRun))
        { Baseline = "baseline: xargs -P 200 ssh, 200 nodes x sleep 2", MeasuredBy = () => firstRun.Value });
    scenarios.Add(new("ssh: 200 nodes x sleep 2, fanout 256, later runs", "<= 1.2x", 3,
        () => LongScenario(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(10), 10), 200, "sleep 2", 256))
        { Baseline = "baseline: xargs -P 200 ssh, 200 nodes x sleep 2" });
}

Console.WriteLine($"MilkCheck benchmarks ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
Console.WriteLine();
Console.WriteLine($"{"scenario",-58} {"median",10} {"min",10} {"target",10}");
Console.WriteLine(new string('-', 92));
var medians = new Dictionary<string, double>();
foreach (Scenario scenario in scenarios)
{
    if (filter is not null && !scenario.Name.Contains(filter, StringComparison.Ordinal)
        && !scenarios.Any(s => s.Baseline == scenario.Name && s.Name.Contains(filter, StringComparison.Ordinal)))
        continue;
    Func<string?> run = scenario.Setup();
    string? note = run(); // warm-up (JIT)
    var times = new List<double>();
    for (int i = 0; i < scenario.Repeat; i++)
    {
        var watch = Stopwatch.StartNew();
        note = run();
        times.Add(scenario.MeasuredBy?.Invoke() ?? watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    double median = times[times.Count / 2];
    medians[scenario.Name] = median;
    Console.WriteLine($"{scenario.Name,-58} {median,8:F1}ms {times[0],8:F1}ms {scenario.Target,10}");
    if (scenario.Baseline is not null && medians.TryGetValue(scenario.Baseline, out double baseline))
        Console.WriteLine($"    {median / baseline:F2}x the baseline ({baseline:F1} ms), measured in this run");
    if (note is not null)
        Console.WriteLine($"    {note}");
}

if (farm is not null && filter is null)
    PersistScale.Report(new[] { 200, 1000 });

static Func<string?> SshScenario(SshdFarm farm, bool openSsh, int fanout = 64)
{
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig("ssh" + fanout,
        "services:\n  wide: { target: \"node[1-200]\", actions: { status: { cmd: \"true\" } } }\n"));
    return () =>
    {
        ITransport remote = openSsh
            ? new OpenSshTransport(TimeSpan.FromSeconds(10), new[] { "-F", farm.ConfigFile })
            : new SshNetTransport(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(10), 10));
        long threadsBefore = ThreadPool.ThreadCount;
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var results = Run(configuration, "status", new LocalTransport(), remote, fanout: fanout);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        (remote as IDisposable)?.Dispose();
        ActionResult wide = results.Single();
        Check(wide.Status == MilkCheck.ActionStatus.Done && wide.Nodes.Count == 200, $"{wide.Status} {wide.FailedNodes} {wide.Nodes.FirstOrDefault(n => n.Status != MilkCheck.NodeStatus.Ok)?.Reason}");
        double sumOfNodeTimes = wide.Nodes.Sum(n => n.Duration.TotalMilliseconds);
        return $"overlap: the 200 node durations add up to {sumOfNodeTimes / 1000:F1} s in {wide.Duration.TotalSeconds:F2} s of wall time ({sumOfNodeTimes / wide.Duration.TotalMilliseconds:F0} in flight on average); this process used {cpu.TotalSeconds:F1} s of CPU; thread pool {threadsBefore} -> {ThreadPool.ThreadCount} threads; open-file limit {Transports.OpenFileLimit()}";
    };
}

// `xargs -P parallel ssh node command` over node1..nodes, as a shell user would run it.
static void Xargs(string farmConfig, int nodes, int parallel, string command)
{
    var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
    start.ArgumentList.Add("-c");
    start.ArgumentList.Add($"xargs -P {parallel} -I{{}} ssh -F {farmConfig} -oBatchMode=yes {{}} '{command}'");
    using var process = Process.Start(start)!;
    process.StandardInput.Write(string.Join('\n', Enumerable.Range(1, nodes).Select(i => $"node{i}")) + "\n");
    process.StandardInput.Close();
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    Check(process.ExitCode == 0, "xargs ssh failed");
}

// One action running a command that takes seconds on every node, with a new transport (new connections) per run.
static Func<string?> LongScenario(SshTransportOptions settings, int nodes, string command, int fanout)
{
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig($"long{nodes}-{fanout}",
        $"services:\n  wide: {{ target: \"node[1-{nodes}]\", actions: {{ start: {{ cmd: \"{command}\" }} }} }}\n"));
    return () =>
    {
        int threadsBefore = ThreadPool.ThreadCount;
        int processThreadsBefore = Process.GetCurrentProcess().Threads.Count;
        int peakPool = 0, peakProcess = 0;
        using var sampling = new Timer(_ =>
        {
            peakPool = Math.Max(peakPool, ThreadPool.ThreadCount);
            peakProcess = Math.Max(peakProcess, Process.GetCurrentProcess().Threads.Count);
        }, null, 0, 100);
        using var ssh = new SshNetTransport(settings);
        var results = Run(configuration, "start", new LocalTransport(), ssh, fanout: fanout);
        sampling.Change(Timeout.Infinite, Timeout.Infinite);
        ActionResult wide = results.Single();
        Check(wide.Status == MilkCheck.ActionStatus.Done && wide.Nodes.Count == nodes, $"{wide.Status} {wide.FailedNodes} {wide.Nodes.FirstOrDefault(n => n.Status != MilkCheck.NodeStatus.Ok)?.Reason}");
        return $"thread pool {threadsBefore} -> peak {peakPool}; process threads {processThreadsBefore} -> peak {peakProcess} (SSH.NET: one listener thread per connection)";
    };
}

// Each timed run is a new process (the bench itself with --fresh-long) doing the scenario once: a first run,
// with the thread pool and JIT of a process that just started. Its later runs are printed as a note.
static Func<string?> FreshRuns(SshdFarm farm, int nodes, string command, int fanout, StrongBox<double> firstRun) => () =>
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        start.ArgumentList.Add(typeof(Scenario).Assembly.Location);
    foreach (string arg in new[] { "--fresh-long", farm.Home, farm.ConfigFile, farm.User, "3", nodes.ToString(), command, fanout.ToString() })
        start.ArgumentList.Add(arg);
    using var process = Process.Start(start)!;
    string[] lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    process.WaitForExit();
    Check(process.ExitCode == 0 && lines.Length == 3, "fresh process failed: " + string.Join(" | ", lines));
    string[] first = lines[0].Split('\t');
    firstRun.Value = double.Parse(first[0]);
    return $"that process: runs 1-3 {string.Join(", ", lines.Select(l => l.Split('\t')[0] + " ms"))}; run 1: {first[1]}";
};

// 34 services in a chain over the same 200 nodes: the first action pays the connections, the others reuse them.
static Func<string?> ClusterScenario(SshdFarm farm)
{
    var yaml = new System.Text.StringBuilder("services:\n");
    for (int i = 0; i < 34; i++)
    {
        yaml.Append($"  svc{i}:\n    target: \"node[1-200]\"\n");
        if (i > 0)
            yaml.Append($"    require: [ svc{i - 1} ]\n");
        yaml.Append("    actions: { start: { cmd: \"true\" } }\n");
    }
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig("cluster", yaml.ToString()));
    return () =>
    {
        int acceptedBefore = farm.AcceptedConnections;
        using var ssh = new SshNetTransport(new SshTransportOptions(farm.Home, farm.ConfigFile, farm.User, TimeSpan.FromSeconds(10), 10));
        var results = Run(configuration, "start", new LocalTransport(), ssh, fanout: 64);
        Check(results.Count == 34 && results.All(r => r.Status == MilkCheck.ActionStatus.Done), "cluster run");
        double first = results.Single(r => r.Service == "svc0").Duration.TotalMilliseconds;
        double later = results.Where(r => r.Service != "svc0").Average(r => r.Duration.TotalMilliseconds);
        return $"first action {first:F0} ms, later actions {later:F0} ms on average ({first / later:F1}x faster); connections opened {ssh.ConnectionsOpened} (server saw {farm.AcceptedConnections - acceptedBefore}) for {34 * 200} node commands";
    };
}

// Spawns /bin/sh -c true one after the other, as a shell loop would.
static void Spawn(int count)
{
    for (int i = 0; i < count; i++)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "true" }, UseShellExecute = false })!;
        process.WaitForExit();
        Check(process.ExitCode == 0, "true failed");
    }
}

static string TempConfig(string name, string yaml)
{
    string dir = Path.Combine(Path.GetTempPath(), $"milkcheck-bench-{name}-{Environment.ProcessId}");
    Directory.CreateDirectory(dir);
    File.WriteAllText(Path.Combine(dir, "site.yaml"), yaml);
    return dir;
}

static IReadOnlyList<ActionResult> Run(MilkCheck.Configuration.MilkCheckConfiguration configuration, string action,
    ITransport local, ITransport remote, int? fanout = null)
{
    RunPlan plan = RunPlan.Build(configuration.Model, configuration.Global, new RunOptions { Action = action, Fanout = fanout });
    return new RunEngine(plan, local, remote).RunAsync().GetAwaiter().GetResult();
}

// Layers of services; each requires two services of the layer below.
static Func<string?> DagScenario(int services, int depth)
{
    var yaml = new System.Text.StringBuilder("services:\n");
    int perLayer = services / depth;
    for (int layer = 0; layer < depth; layer++)
        for (int i = 0; i < perLayer; i++)
        {
            yaml.Append($"  s{layer}_{i}:\n");
            if (layer > 0)
                yaml.Append($"    require: [ s{layer - 1}_{i}, s{layer - 1}_{(i + 1) % perLayer} ]\n");
            yaml.Append("    actions: { start: { cmd: \"true\" } }\n");
        }
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig("dag", yaml.ToString()));
    Check(!configuration.HasErrors, string.Join("; ", configuration.Diagnostics));
    return () =>
    {
        var results = Run(configuration, "start", new LocalTransport(), new LocalTransport());
        Check(results.Count == services && results.All(r => r.Status == MilkCheck.ActionStatus.Done), "DAG run");
        return null;
    };
}

static Func<string?> ExecScenario()
{
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig("exec",
        "services:\n  e: { target: \"node[1-1000]\", mode: exec, actions: { start: { cmd: \"true\" } } }\n"));
    return () =>
    {
        var results = Run(configuration, "start", new LocalTransport(), new LocalTransport(), fanout: 64);
        Check(results.Single().Nodes.Count == 1000 && results.Single().Status == MilkCheck.ActionStatus.Done, "exec run");
        return null;
    };
}

// 34 services in a require chain, each over node[1-4000] (through a variable, as sites write it).
static string ChainOver4000Nodes()
{
    var yaml = new System.Text.StringBuilder("variables:\n  NODES: \"node[1-4000]\"\nservices:\n");
    for (int i = 0; i < 34; i++)
    {
        yaml.Append($"  svc{i}:\n    target: \"%NODES\"\n");
        if (i > 0)
            yaml.Append($"    require: [ svc{i - 1} ]\n");
        yaml.Append("    actions: { start: { cmd: \"systemctl start unit\" } }\n");
    }
    return yaml.ToString();
}

// 34 services over 4,000 nodes answered at once by a transport with one short line per node.
static Func<string?> MemoryScenario()
{
    string yaml = ChainOver4000Nodes();
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig("memory", yaml));
    var instant = new InstantTransport();
    return () =>
    {
        long before = GC.GetTotalMemory(true);
        var results = Run(configuration, "start", instant, instant);
        long after = GC.GetTotalMemory(true);
        Check(results.Count == 34 && results.Sum(r => r.Nodes.Count) == 34 * 4000, "memory run");
        GC.KeepAlive(results);
        return $"results of 136,000 node commands kept: {(after - before) / 1024.0 / 1024.0:F1} MiB ({(after - before) / 136_000.0:F0} bytes per node result)";
    };
}

// 34 services x 4,000 nodes through the run object, with or without the journal (fake transport, one short line per node).
static Func<string?> JournalScenario(bool journal)
{
    string yaml = ChainOver4000Nodes();
    string journals = Path.Combine(Path.GetTempPath(), "milkcheck-bench-journal-" + Guid.NewGuid().ToString("N"));
    var global = new MilkCheck.Configuration.GlobalConfiguration { Journal = journal, JournalDir = journals, JournalKeep = 2 };
    var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(TempConfig("journal", yaml), global: global);
    var instant = new InstantTransport();
    return () =>
    {
        var run = MilkCheckRun.Create(configuration, new RunOptions { Action = "start" }, transports: () => Transports.Of(instant, instant));
        var results = run.RunAsync().GetAwaiter().GetResult();
        Check(results.Count == 34 && results.Sum(r => r.Nodes.Count) == 34 * 4000, "journal run");
        if (!journal)
            return null;
        long bytes = new FileInfo(run.JournalPath!).Length;
        return $"journal {bytes / 1024.0 / 1024.0:F1} MiB, {bytes / 136_000.0:F0} bytes per node result";
    };
}

// A directory shaped like a real site: services in groups of 5, node set targets, variables, dependencies.
static Func<string?> LoadScenario(int services)
{
    string dir = Path.Combine(Path.GetTempPath(), $"milkcheck-bench-{services}-{Environment.ProcessId}");
    Directory.CreateDirectory(dir);
    var yaml = new System.Text.StringBuilder("variables:\n  NODES: \"node[1-4000]\"\n  FS: scratch\nservices:\n");
    for (int g = 0; g < (services + 4) / 5; g++)
    {
        yaml.Append($"  group{g}:\n    desc: group {g} on %FS\n    target: \"%NODES\"\n    services:\n");
        for (int s = 0; s < 5 && g * 5 + s < services; s++)
        {
            yaml.Append($"      svc{s}:\n        variables: {{ UNIT: unit{s} }}\n");
            if (s > 0)
                yaml.Append($"        require: [ svc{s - 1} ]\n");
            yaml.Append("        actions:\n          start,stop,status,restart,reload:\n            cmd: systemctl %ACTION %UNIT\n");
        }
        if (g > 0)
            yaml.Append($"    after: [ group{g - 1} ]\n");
    }
    File.WriteAllText(Path.Combine(dir, "site.yaml"), yaml.ToString());
    return () =>
    {
        var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(dir);
        Check(!configuration.HasErrors, string.Join("; ", configuration.Diagnostics));
        Check(configuration.GetServices().Count(s => s.Kind == MilkCheck.EntityKind.Service) == services, "count");
        return null;
    };
}

// s1 <- s2 <- ... <- sN: each requires the previous one, so load-time walks see one long chain.
static Func<string?> ChainScenario(int services)
{
    string dir = Path.Combine(Path.GetTempPath(), $"milkcheck-bench-chain-{services}-{Environment.ProcessId}");
    Directory.CreateDirectory(dir);
    var yaml = new System.Text.StringBuilder("services:\n  s1:\n    actions: {start: {cmd: 'true'}}\n");
    for (int i = 2; i <= services; i++)
        yaml.Append($"  s{i}:\n    require: [s{i - 1}]\n    actions: {{start: {{cmd: 'true'}}}}\n");
    File.WriteAllText(Path.Combine(dir, "chain.yaml"), yaml.ToString());
    return () =>
    {
        var configuration = MilkCheck.Configuration.MilkCheckConfiguration.Load(dir);
        Check(!configuration.HasErrors, string.Join("; ", configuration.Diagnostics.Take(3)));
        Check(configuration.EntityNames.Count == services, "count");
        return null;
    };
}

static void Check(bool condition, string detail)
{
    if (!condition)
        throw new InvalidOperationException($"Benchmark produced a wrong result: {detail}");
}

/// <summary>A measured scenario: Setup prepares inputs (not timed) and returns the timed run, which may return a note.</summary>
internal sealed record Scenario(string Name, string Target, int Repeat, Func<Func<string?>> Setup)
{
    /// <summary>A scenario measured earlier in the same run whose median this one is compared with.</summary>
    public string? Baseline { get; init; }

    /// <summary>When set, the time of a run as the scenario measured it (e.g. inside a child process), instead of the stopwatch's.</summary>
    public Func<double>? MeasuredBy { get; init; }
}

/// <summary>Answers every command at once with one short line, as a healthy cluster would.</summary>
internal sealed class InstantTransport : ITransport
{
    public Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken) =>
        Task.FromResult(new NodeOutcome(MilkCheck.NodeStatus.Ok, 0, "active", TimeSpan.Zero, null));
}
