using System.Diagnostics;
using System.Text;
using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Ssh;
using MilkCheck.Execution;
using MilkCheck.Scheduling;

/// <summary>
/// Connections kept between runs, at scale: for each farm size, a farm of that many loopback nodes (one sshd per
/// 16 addresses) and a child process (so its threads, memory and descriptors are its own, not the farm's) that runs
/// a cluster-shaped 34-service status twice through MilkCheckRun with a session pool, as two Invoke-MilkCheckAction
/// in one PowerShell session would. The parent counts logins from the daemons' logs between the two runs.
/// Runnable alone: <c>dotnet run -c Release --project bench/MilkCheck.Bench -- --persist-scale 200 1000</c>.
/// </summary>
internal static class PersistScale
{
    public static void Report(IEnumerable<int> sizes)
    {
        Console.WriteLine();
        Console.WriteLine("Connections kept between runs: 34-service cluster status, run 1 (cold) then run 2 within connection_persist");
        Console.WriteLine($"{"nodes",6} {"run",4} {"cmds",7} {"wall s",8} {"cpu s",7} {"logins",7} {"kept",6} {"thr peak",9} {"thr idle",9} {"rss peak MiB",13} {"fds peak",9} {"fds idle",9}");
        foreach (int nodes in sizes)
        {
            using var farm = new SshdFarm(nodes);
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                start.ArgumentList.Add(typeof(PersistScale).Assembly.Location);
            foreach (string arg in new[] { "--persist-child", nodes.ToString() })
                start.ArgumentList.Add(arg);
            start.Environment["HOME"] = farm.Home; // the child's ~/.ssh/config is the farm's (its own environment only)
            using var child = Process.Start(start)!;
            for (int run = 1; run <= 2; run++)
            {
                int before = farm.AcceptedConnections;
                child.StandardInput.WriteLine("go");
                child.StandardInput.Flush();
                string line = child.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the child ended early");
                int logins = farm.AcceptedConnections - before;
                string[] f = line.Split('\t');
                if (f[0] != "ok")
                    throw new InvalidOperationException("child: " + line);
                Console.WriteLine($"{nodes,6} {run,4} {f[1],7} {f[2],8} {f[3],7} {logins,7} {f[4],6} {f[5],9} {f[6],9} {f[7],13} {f[8],9} {f[9],9}");
            }
            child.StandardInput.WriteLine("exit");
            child.StandardInput.Flush();
            string? notes = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            if (!string.IsNullOrWhiteSpace(notes))
                Console.WriteLine("       " + notes.Trim().Replace("\n", "\n       "));
        }
        Console.WriteLine("thr idle / fds idle: after the run, its connections kept (SSH.NET keeps one listener thread per open connection).");
    }

    /// <summary>The child: two runs, one line each, when the parent says go.</summary>
    public static void Child(int nodes)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"milkcheck-bench-persist-{nodes}-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cluster.yaml"), ClusterYaml(nodes));
        var global = new GlobalConfiguration { Journal = false, ConnectionPersist = TimeSpan.FromSeconds(600) };
        var configuration = MilkCheckConfiguration.Load(dir, global: global);
        if (configuration.HasErrors)
            throw new InvalidOperationException(string.Join("; ", configuration.Diagnostics));
        using var pool = new ConnectionPool();
        int baseThreads = Threads();
        while (Console.ReadLine() is "go")
        {
            var sample = new Peaks();
            using var timer = new Timer(_ => sample.Take(), null, 0, 50);
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var run = MilkCheckRun.Create(configuration, new RunOptions { Action = "status" }, connections: pool);
            IReadOnlyList<MilkCheck.ActionResult> results = run.RunAsync().GetAwaiter().GetResult();
            double wall = watch.Elapsed.TotalSeconds;
            timer.Change(Timeout.Infinite, Timeout.Infinite);
            sample.Take();
            double used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            int commands = results.Sum(r => r.Nodes.Count);
            var bad = results.SelectMany(r => r.Nodes).FirstOrDefault(n => n.Status != MilkCheck.NodeStatus.Ok);
            if (bad is not null || results.Any(r => r.Status != MilkCheck.ActionStatus.Done))
            {
                Console.WriteLine($"failed\t{bad?.Node} {bad?.Status} {bad?.Reason}");
                return;
            }
            Console.WriteLine(string.Join('\t', "ok", commands, wall.ToString("F1"), used.ToString("F1"), pool.Connections().Count,
                sample.Threads, Threads(), (Status("VmHWM") / 1024).ToString("F0"), sample.Fds, Fds()));
        }
        Console.WriteLine($"threads before the first run {baseThreads}; peak RSS is the process's high-water mark (VmHWM) so far");
    }

    /// <summary>
    /// 34 services shaped like a cluster over node1..nodeN: io/admin servers are the first N/20 (at least 8), compute the rest.
    /// Base services on every node, Lustre servers and clients, Slurm, and admin services on the servers; groups, require
    /// chains, per-service fanout. About 9 node commands per node.
    /// </summary>
    private static string ClusterYaml(int nodes)
    {
        int io = Math.Max(8, nodes / 20);
        string all = $"node[1-{nodes}]", servers = $"node[1-{io}]", compute = $"node[{io + 1}-{nodes}]";
        var y = new StringBuilder("services:\n");
        y.Append($"  base:\n    target: \"{all}\"\n    fanout: 128\n    services:\n");
        y.Append("      ntp: { actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      rsyslog: { require: [ ntp ], actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      munge: { require: [ ntp ], actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      nfs_client: { require: [ munge ], actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      sssd: { require: [ nfs_client ], actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      node_exporter: { actions: { status: { cmd: \"true\" } } }\n");
        y.Append("  lustre:\n    require: [ base ]\n    services:\n");
        y.Append("      mgs: { target: \"node1\", actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      mds: { require: [ mgs ], target: \"node[2-3]\", actions: { status: { cmd: \"true\" } } }\n");
        y.Append($"      oss: {{ require: [ mgs ], target: \"{servers}\", actions: {{ status: {{ cmd: \"true\" }} }} }}\n");
        y.Append($"      lnet: {{ target: \"{compute}\", fanout: 128, actions: {{ status: {{ cmd: \"true\" }} }} }}\n");
        y.Append($"      clients: {{ require: [ mds, oss, lnet ], target: \"{compute}\", fanout: 128, errors: 8, actions: {{ status: {{ cmd: \"true\" }} }} }}\n");
        y.Append("  slurm:\n    require: [ lustre ]\n    services:\n");
        y.Append("      dbd: { target: \"node1\", actions: { status: { cmd: \"true\" } } }\n");
        y.Append("      ctld: { require: [ dbd ], target: \"node2\", actions: { status: { cmd: \"true\" } } }\n");
        y.Append($"      slurmd: {{ require: [ ctld ], target: \"{compute}\", fanout: 128, errors: 16, actions: {{ status: {{ cmd: \"true\" }} }} }}\n");
        for (int i = 1; i <= 20; i++)
        {
            y.Append($"  admin{i}:\n    target: \"{servers}\"\n");
            if (i > 2)
                y.Append($"    require: [ admin{i - 2} ]\n");
            y.Append("    actions: { status: { cmd: \"true\" } }\n");
        }
        return y.ToString();
    }

    private static int Threads() => (int)Status("Threads");

    private static int Fds() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>A field of /proc/self/status (kB for memory).</summary>
    private static long Status(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
        }
        return 0;
    }

    private sealed class Peaks
    {
        public int Threads;
        public int Fds;

        public void Take()
        {
            lock (this)
            {
                Threads = Math.Max(Threads, PersistScale.Threads());
                Fds = Math.Max(Fds, PersistScale.Fds());
            }
        }
    }
}
