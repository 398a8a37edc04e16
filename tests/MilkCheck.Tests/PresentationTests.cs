using System.Management.Automation;
using Xunit;

namespace MilkCheck.Tests;

/// <summary>What a person sees of a run: one-line errors, views sized to content, verbose and progress.</summary>
public sealed class PresentationTests : IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "milkcheck-seen-" + Guid.NewGuid().ToString("N"));

    public PresentationTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Config(string yaml)
    {
        File.WriteAllText(Path.Combine(_dir, "services.yaml"), yaml);
        return _dir;
    }

    private const string LongNames = """
        services:
          web:
            target: "frontend-node-with-a-long-name[01-12]"
            mode: exec
            actions: { start: { cmd: "case %%h in *0[2-5]) exit 3;; esac; echo ok" } }
          app: { require: [ web ], actions: { start: { cmd: "true" } } }
        """;

    [Fact]
    public void A_failed_entity_writes_one_error_of_one_line_naming_its_nodes_and_why_without_recommendation()
    {
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Path '{Config(LongNames)}'");
        Assert.Equal(2, run.Errors.Count);
        ErrorRecord failed = run.Errors[0];
        Assert.Equal("web.start: Error: frontend-node-with-a-long-name[02-05] exited with 3", failed.Exception.Message);
        Assert.Null(failed.ErrorDetails?.RecommendedAction);
        Assert.Equal("app.start: DependencyError: not run, a dependency it requires failed", run.Errors[1].Exception.Message);
        Assert.All(run.Errors, e => Assert.DoesNotContain('\n', e.Exception.Message));
        Assert.StartsWith("InvalidResult: (web.start: Error on", failed.CategoryInfo.ToString());
    }

    [Fact]
    public void The_table_view_shows_Target_and_FailedNodes_whole()
    {
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Path '{Config(LongNames)}' -ErrorAction SilentlyContinue | Format-Table | Out-String -Width 200");
        string table = (string)run.Output.Single().BaseObject;
        Assert.Contains("frontend-node-with-a-long-name[01-12] frontend-node-with-a-long-name[02-05]", table);
        Assert.All(table.Split('\n'), line => Assert.True(line.TrimEnd().Length < 120, line));
    }

    [Fact]
    public void The_list_view_shows_why_the_nodes_failed()
    {
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service web -Path '{Config(LongNames)}' -ErrorAction SilentlyContinue | Format-List | Out-String -Width 200");
        string list = (string)run.Output.Single().BaseObject;
        Assert.Contains("Why         : frontend-node-with-a-long-name[02-05] exited with 3", list);
        Assert.Contains("Nodes       : 12 ran, 4 failed", list);
        Assert.DoesNotContain("Checks", list);
    }

    [Fact]
    public void Verbose_tells_the_files_read_the_plan_and_each_action_start_and_end_with_node_counts()
    {
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Path '{Config(LongNames)}' -ErrorAction SilentlyContinue -Verbose");
        Assert.Contains(run.Verbose, v => v == $"Reading {Path.Combine(_dir, "services.yaml")}.");
        Assert.Contains(run.Verbose, v => v == "Plan: 'start' from every root service: 2 entities reached, 2 action(s) to run, 13 node command(s) on 13 distinct node(s).");
        Assert.Contains("web.start: started on 12 nodes.", run.Verbose);
        Assert.Contains(run.Verbose, v => v.StartsWith("web.start: Error after ") && v.EndsWith(" on 12 nodes (frontend-node-with-a-long-name[02-05] failed)."));
    }

    [Fact]
    public void Progress_shows_the_running_actions_and_completes()
    {
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Path '{Config(LongNames)}' -ErrorAction SilentlyContinue");
        Assert.Contains(run.Progress, p => p.CurrentOperation == "Running web.start");
        Assert.Equal(ProgressRecordType.Completed, run.Progress[^1].RecordType);
    }

    [Fact]
    public void The_default_view_of_a_failed_action_shows_the_block_above_the_status_line_once()
    {
        var run = _host.RunWithStreams($"Invoke-MilkCheckAction start -Service web -Path '{Config(LongNames)}' -ErrorAction SilentlyContinue | Out-String -Width 100");
        string text = ((string)run.Output.Single().BaseObject).ReplaceLineEndings("\n");
        Assert.Contains(" > frontend-node-with-a-long-name[02-05] exited with 3\nweb ", text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "exited with 3"));
    }
}
