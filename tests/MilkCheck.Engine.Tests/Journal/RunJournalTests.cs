using System.Text.Json;
using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Journal;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Journal;

/// <summary>The run journal as MilkCheckRun writes it, with real local commands.</summary>
public sealed class RunJournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Journals => _dir["runs"];

    private MilkCheckRun NewRun(string yaml, string action = "start", GlobalConfiguration? global = null)
    {
        string conf = _dir.CreateDirectory("conf" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(Path.Combine(conf, "services.yaml"), yaml);
        var configuration = MilkCheckConfiguration.Load(conf, global: global ?? new GlobalConfiguration { JournalDir = Journals });
        Assert.False(configuration.HasErrors, string.Join("\n", configuration.Diagnostics));
        return MilkCheckRun.Create(configuration, new RunOptions { Action = action });
    }

    private const string TwoServices = """
        services:
          web: { require: [ db ], actions: { start: { cmd: "echo web up" } } }
          db: { target: "n[1-2]", actions: { start: { cmd: "echo db on %%h; test %%h = n1", mode: exec } } }
        """;

    [Fact]
    public async Task A_run_writes_a_header_one_line_per_result_and_a_closing_line()
    {
        MilkCheckRun run = NewRun(TwoServices);
        IReadOnlyList<ActionResult> results = await run.RunAsync();
        string file = Assert.Single(Directory.GetFiles(Journals));
        Assert.Equal(run.JournalPath, file);
        Assert.Equal(run.Id + ".jsonl", Path.GetFileName(file));
        string[] lines = File.ReadAllLines(file);
        Assert.Equal(new[] { "Header", "Result", "Result", "End" },
            lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("Type").GetString()));
        JsonElement header = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(run.Id, header.GetProperty("RunId").GetString());
        Assert.Equal("start", header.GetProperty("Action").GetString());
        Assert.Equal(Environment.ProcessId, header.GetProperty("ProcessId").GetInt32());
        JsonElement end = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal("Completed", end.GetProperty("State").GetString());
        Assert.Equal(6, end.GetProperty("Summary").GetProperty("ExitCode").GetInt32());
        Assert.Equal("Error", JsonDocument.Parse(lines[1]).RootElement.GetProperty("Result").GetProperty("Status").GetString());
        Assert.All(results, r => Assert.Equal((run.Id, run.Configuration.Path), (r.RunId, r.Path)));
    }

    [Fact]
    public async Task The_journal_reads_back_as_the_results_that_were_written()
    {
        MilkCheckRun run = NewRun(TwoServices);
        IReadOnlyList<ActionResult> written = await run.RunAsync();
        var read = JournalReader.ReadResults(run.JournalPath!, (line, message) => Assert.Fail($"line {line}: {message}")).ToList();
        Assert.Equal(written.Count, read.Count);
        for (int i = 0; i < read.Count; i++)
        {
            Assert.Equal(written[i] with { Nodes = read[i].Nodes, Checks = read[i].Checks }, read[i]);
            Assert.Equal(written[i].Nodes, read[i].Nodes);
        }
        RunRecord record = Assert.Single(JournalReader.List(Journals));
        Assert.Equal((run.Id, RunState.Completed, 6, 1, 1), (record.Id, record.State, record.ExitCode, record.Total, record.Failed));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Journal_files_are_the_users_alone()
    {
        MilkCheckRun run = NewRun(TwoServices);
        await run.RunAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(run.JournalPath!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Journals));
    }

    [Fact]
    public async Task Only_the_newest_journal_keep_runs_are_kept()
    {
        var global = new GlobalConfiguration { JournalDir = Journals, JournalKeep = 2 };
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            MilkCheckRun run = NewRun(TwoServices, global: global);
            await run.RunAsync();
            ids.Add(run.Id);
        }
        Assert.Equal(ids.Order(StringComparer.Ordinal).Skip(1), JournalReader.List(Journals).Select(r => r.Id).Reverse());
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_warns_once_and_the_run_goes_on()
    {
        File.WriteAllText(Journals, "a file where the folder should be");
        MilkCheckRun run = NewRun(TwoServices);
        var warnings = new WarningsObserver();
        run.AddObserver(warnings);
        IReadOnlyList<ActionResult> results = await run.RunAsync();
        Assert.Equal(2, results.Count);
        Assert.Equal(ErrorIds.JournalUnavailable, Assert.Single(warnings.Ids));
        Assert.Null(run.JournalPath);
    }

    [Fact]
    public async Task Journal_false_writes_nothing()
    {
        MilkCheckRun run = NewRun(TwoServices, global: new GlobalConfiguration { JournalDir = Journals, Journal = false });
        await run.RunAsync();
        Assert.False(Directory.Exists(Journals));
    }

    [Fact]
    public async Task A_stopped_run_records_the_running_action_with_cancelled_nodes_and_says_it_was_interrupted()
    {
        MilkCheckRun run = NewRun("""
            services:
              slow: { require: [ quick ], target: "n[1-2]", actions: { start: { cmd: "test %%h = n1 || exec sleep 60", mode: exec } } }
              quick: { actions: { start: { cmd: "true" } } }
            """);
        using var cancel = new CancellationTokenSource();
        var nodes = new WarningsObserver { OnNode = r => { if (r.Node == "n1") cancel.Cancel(); } };
        run.AddObserver(nodes);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.RunAsync(cancel.Token));
        RunRecord record = Assert.Single(JournalReader.List(Journals));
        Assert.Equal(RunState.Interrupted, record.State);
        var read = JournalReader.ReadResults(record.JournalPath, (_, m) => Assert.Fail(m)).ToList();
        Assert.Equal(new[] { "quick", "slow" }, read.Select(r => r.Service));
        Assert.Equal(new[] { NodeStatus.Ok, NodeStatus.Cancelled }, read[1].Nodes.OrderBy(n => n.Node).Select(n => n.Status));
    }

    [Fact]
    public void A_damaged_line_is_reported_with_its_number_and_the_rest_still_reads()
    {
        string file = _dir.Write("runs/20261203-000000-abcdef.jsonl", string.Join("\n",
            """{"Type":"Header","Format":1,"RunId":"20261203-000000-abcdef","StartTime":"2026-12-03T00:00:00+00:00","User":"u","Host":"h","ProcessId":1,"Action":"start","Services":[],"Parameters":{},"Path":"/conf"}""",
            """{"Type":"Result","Result":{"Service":"a","Group":"","Kind":"Service","Action":"start","Status":"Done","IsEntry":true,"Target":"","FailedNodes":"","Nodes":[],"Checks":[],"Command":"true","StartTime":"2026-12-03T00:00:00+00:00","Duration":"00:00:00.1","Attempts":1,"Description":null,"RunId":"20261203-000000-abcdef","Path":"/conf"}}""",
            """{"Type":"Result","Result":{"Service":"b",""",
            """{"Type":"Result","Result":{"Service":"c","Group":"","Kind":"Service","Action":"start","Status":"Error","IsEntry":true,"Target":"","FailedNodes":"","Nodes":[],"Checks":[],"Command":"false","StartTime":"2026-12-03T00:00:00+00:00","Duration":"00:00:00.1","Attempts":1,"Description":null,"RunId":"20261203-000000-abcdef","Path":"/conf"}}"""));
        var damaged = new List<int>();
        var read = JournalReader.ReadResults(file, (line, _) => damaged.Add(line)).ToList();
        Assert.Equal(new[] { 3 }, damaged);
        Assert.Equal(new[] { ("a", ActionStatus.Done), ("c", ActionStatus.Error) }, read.Select(r => (r.Service, r.Status)));
        RunRecord record = Assert.Single(JournalReader.List(_dir["runs"]));
        Assert.Equal(RunState.Interrupted, record.State); // no closing line
        Assert.Null(record.EndTime);
    }

    [Fact]
    public void The_default_folder_follows_XDG_STATE_HOME_else_the_home_state_folder()
    {
        string resolved = JournalFormat.Directory(GlobalConfiguration.Default);
        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string expected = xdg is { Length: > 0 } && Path.IsPathRooted(xdg)
            ? Path.Combine(xdg, "milkcheck", "runs")
            : Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".local", "state", "milkcheck", "runs");
        Assert.Equal(expected, resolved);
        Assert.Equal(Path.Combine(Environment.GetEnvironmentVariable("HOME")!, "j"), JournalFormat.Directory(new GlobalConfiguration { JournalDir = "~/j" }));
        Assert.Equal("/etc/milkcheck/journal", JournalFormat.Directory(new GlobalConfiguration { JournalDir = "journal", SourceFile = "/etc/milkcheck/milkcheck.conf" }));
    }

    private sealed class WarningsObserver : IRunObserver
    {
        public List<string> Ids { get; } = new();
        public Action<NodeResult>? OnNode { get; init; }
        public void ActionStarted(string service, string action, string target, int nodes) { }
        public void NodeCompleted(NodeResult result) => OnNode?.Invoke(result);
        public void ActionCompleted(ActionResult result) { }
        public void Warning(string errorId, string message)
        {
            lock (Ids)
                Ids.Add(errorId);
        }
    }
}
