using System.Management.Automation;
using Xunit;

namespace MilkCheck.Tests;

public sealed class InvokeCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "milkcheck-invoke-" + Guid.NewGuid().ToString("N"));

    public InvokeCmdletTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Config(string yaml)
    {
        string path = Path.Combine(_dir, "conf" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "services.yaml"), yaml.Replace("%MARK", _dir));
        return path;
    }

    private RunStreams Invoke(string path, string arguments, string? before = null) =>
        _host.RunWithStreams($"{before}\nInvoke-MilkCheckAction {arguments} -Path '{path}'");

    private const string Chain = """
        services:
          app:
            desc: the application
            require: [ db ]
            actions:
              start: { cmd: "echo app started; touch %MARK/app" }
          db:
            actions:
              start: { cmd: "echo db started; touch %MARK/db" }
        """;

    [Fact]
    public void Invoke_runs_dependencies_first_and_writes_one_typed_result_per_entity()
    {
        var run = Invoke(Config(Chain), "start");
        Assert.Empty(run.Errors);
        Assert.Equal(new[] { "db", "app" }, run.Results.Select(r => r.Service));
        Assert.All(run.Results, r => Assert.Equal(ActionStatus.Done, r.Status));
        NodeResult node = Assert.Single(run.Results[1].Nodes);
        Assert.Equal("localhost", node.Node);
        Assert.Equal("app started", node.Output);
        Assert.Equal(0, node.ExitCode);
        Assert.True(File.Exists(Path.Combine(_dir, "app")));
        Assert.Equal("the application", run.Results[1].Description);
    }

    [Fact]
    public void A_failed_service_writes_an_ActionFailed_error_its_dependents_DependencyFailed()
    {
        var run = Invoke(Config("""
            services:
              app: { require: [ db ], actions: { start: { cmd: "true" } } }
              db: { actions: { start: { cmd: "echo broken; exit 3" } } }
            """), "start");
        Assert.Equal(new[] { ActionStatus.Error, ActionStatus.DependencyError }, run.Results.Select(r => r.Status));
        Assert.Equal(new[] { "MilkCheck.ActionFailed,MilkCheck.Commands.InvokeMilkCheckActionCommand", "MilkCheck.DependencyFailed,MilkCheck.Commands.InvokeMilkCheckActionCommand" },
            run.Errors.Select(e => e.FullyQualifiedErrorId));
        Assert.Same(run.Results[0], run.Errors[0].TargetObject);
        Assert.Equal(3, run.Results[0].Nodes[0].ExitCode);
        Assert.Equal(NodeStatus.Failed, run.Results[0].Nodes[0].Status);
    }

    [Fact]
    public void A_warning_result_writes_a_warning_not_an_error()
    {
        var run = Invoke(Config("""
            services:
              s: { errors: 1, actions: { start: { cmd: "false" } } }
            """), "start");
        Assert.Empty(run.Errors);
        Assert.Equal(ActionStatus.Warning, Assert.Single(run.Results).Status);
        Assert.Contains(run.Warnings, w => w.Contains("s.start: Warning"));
    }

    [Fact]
    public void An_unknown_service_stops_before_anything_runs()
    {
        var run = Invoke(Config(Chain), "start nope");
        ErrorRecord error = Assert.Single(run.Errors);
        Assert.StartsWith("MilkCheck.UnknownService", error.FullyQualifiedErrorId);
        Assert.Empty(run.Results);
        Assert.False(File.Exists(Path.Combine(_dir, "db")));
    }

    [Fact]
    public void An_invalid_node_set_is_a_terminating_NodeSetInvalid()
    {
        var run = Invoke(Config(Chain), "start -Node 'n[1-'");
        Assert.StartsWith("MilkCheck.NodeSetInvalid", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.False(File.Exists(Path.Combine(_dir, "db")));
    }

    [Fact]
    public void WhatIf_runs_nothing_and_writes_no_object()
    {
        var run = Invoke(Config(Chain), "start -WhatIf");
        Assert.Empty(run.Output);
        Assert.Empty(run.Errors);
        Assert.False(File.Exists(Path.Combine(_dir, "db")));
        Assert.False(File.Exists(Path.Combine(_dir, "app")));
    }

    [Fact]
    public void WhatIf_runs_no_command_substitution_of_Define_values_or_commands()
    {
        string path = Config("""
            services:
              s: { actions: { start: { cmd: "echo %LOG %(touch %MARK/from-cmd)" } } }
            """);
        var preview = Invoke(path, $"start -WhatIf -Define @{{ LOG = '%(touch {_dir}/from-define)' }}");
        Assert.Empty(preview.Errors);
        Assert.False(File.Exists(Path.Combine(_dir, "from-define")));
        Assert.False(File.Exists(Path.Combine(_dir, "from-cmd")));
        var run = Invoke(path, $"start -Define @{{ LOG = '%(touch {_dir}/from-define)' }}");
        Assert.Empty(run.Errors);
        Assert.True(File.Exists(Path.Combine(_dir, "from-define")));
    }

    [Fact]
    public void Summary_goes_to_the_information_stream_after_the_results_and_adds_no_object()
    {
        var run = Invoke(Config("""
            services:
              ok: { actions: { start: { cmd: "true" } } }
              bad: { desc: broken one, actions: { start: { cmd: "false" } } }
            """), "start -Summary");
        Assert.Equal(2, run.Output.Count);
        InformationRecord summary = Assert.Single(run.Information, i => i.Tags.Contains("MilkCheck.Summary"));
        string text = summary.MessageData.ToString()!.ReplaceLineEndings("\n");
        Assert.Contains(" SUMMARY - 2 actions (1 failed)\n + bad.start - broken one", text);
    }

    [Fact]
    public void Piped_results_rerun_only_those_services_on_their_failed_nodes()
    {
        string path = Config("""
            services:
              web: { target: "n[1-3]", mode: exec, actions: { start: { cmd: "test %%h != n2" } } }
              db: { target: "n[1-3]", mode: exec, actions: { start: { cmd: "echo %%h" } } }
            """);
        var run = _host.RunWithStreams($"""
            $r = Invoke-MilkCheckAction start -Path '{path}' -ErrorAction SilentlyContinue
            $r | Where-Object Status -ne Done | Invoke-MilkCheckAction start -Path '{path}' -ErrorAction SilentlyContinue
            """);
        ActionResult rerun = Assert.Single(run.Results);
        Assert.Equal("web", rerun.Service);
        Assert.Equal("n2", Assert.Single(rerun.Nodes).Node);
        Assert.Equal("n2", rerun.FailedNodes);
    }

    [Fact]
    public void Services_piped_from_Get_MilkCheckService_make_one_run()
    {
        string path = Config(Chain);
        var run = _host.RunWithStreams($"Get-MilkCheckService db -Path '{path}' | Invoke-MilkCheckAction start -Path '{path}'");
        Assert.Equal("db", Assert.Single(run.Results).Service);
    }

    [Fact]
    public void Exec_mode_runs_one_local_process_per_node_with_placeholders()
    {
        var run = Invoke(Config("""
            services:
              e: { target: "n[1-3]", mode: exec, actions: { status: { cmd: "echo %%h is %%n" } } }
            """), "status");
        ActionResult e = Assert.Single(run.Results);
        Assert.Equal(new[] { "n1 is 0", "n2 is 1", "n3 is 2" }, e.Nodes.Select(n => n.Output));
        Assert.Equal("n[1-3]", e.Target);
    }

    [Fact]
    public void Define_replaces_a_file_variable_and_reserved_names_are_refused()
    {
        string path = Config("""
            variables:
              WHO: file
            services:
              s: { actions: { start: { cmd: "echo %WHO" } } }
            """);
        var run = Invoke(path, "start -Define @{ WHO = 'cli' }");
        Assert.Equal("cli", Assert.Single(Assert.Single(run.Results).Nodes).Output);
        var refused = Invoke(path, "start -Define @{ NAME = 'x' }");
        Assert.StartsWith("MilkCheck.InvalidDefine", Assert.Single(refused.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Define_of_a_name_no_file_declares_resolves_in_the_command_and_description()
    {
        string path = Config("""
            services:
              good:
                desc: "logs to %LOG"
                actions:
                  start: { cmd: "echo v%VERSION to %LOG", timeout: "%WAIT" }
            """);
        var run = Invoke(path, "start -Define @{ LOG = '/tmp/run.log'; VERSION = 2; WAIT = '30' }");
        Assert.Empty(run.Errors);
        ActionResult result = Assert.Single(run.Results);
        Assert.Equal("v2 to /tmp/run.log", Assert.Single(result.Nodes).Output);
        Assert.Equal("logs to /tmp/run.log", result.Description);
    }

    [Fact]
    public void A_run_without_the_Define_its_command_needs_stops_before_anything_runs()
    {
        string path = Config("""
            services:
              good: { actions: { start: { cmd: "touch %MARK/ran-%LOG" } } }
            """);
        var run = Invoke(path, "start");
        Assert.Empty(run.Results);
        ErrorRecord error = Assert.Single(run.Errors);
        Assert.StartsWith("MilkCheck.ConfigurationInvalid", error.FullyQualifiedErrorId);
        Assert.Contains("'LOG'", error.Exception.Message);
        Assert.Contains("-Define", error.Exception.Message);
        Assert.Empty(Directory.GetFiles(_dir, "ran-*"));
    }

    [Fact]
    public void SELECTED_NODES_and_EXCLUDED_NODES_are_the_node_selection_as_text()
    {
        string path = Config("""
            services:
              local: { actions: { start: { cmd: "echo sel=%SELECTED_NODES exc=%EXCLUDED_NODES" } } }
            """);
        Assert.Equal("sel= exc=", Assert.Single(Assert.Single(Invoke(path, "start").Results).Nodes).Output);
        var selected = Invoke(path, "start -Node 'n[1-3]' -ExcludeNode n2");
        Assert.Empty(selected.Errors);
        Assert.Equal("sel=n[1,3] exc=n2", Assert.Single(Assert.Single(selected.Results).Nodes).Output);
    }

    [Fact]
    public void ErrorAction_Stop_writes_every_final_result_and_the_running_action_with_cancelled_nodes_then_stops()
    {
        string path = Config("""
            services:
              ok1: { actions: { start: { cmd: "true" } } }
              ok2: { actions: { start: { cmd: "true" } } }
              bad: { require: [ ok1, ok2 ], actions: { start: { cmd: "false" } } }
              slow: { target: "n[1-2]", actions: { start: { cmd: "sleep 30", mode: exec } } }
              after: { require: [ bad ], actions: { start: { cmd: "true" } } }
            """);
        var run = _host.RunWithStreams($"try {{ Invoke-MilkCheckAction start -Path '{path}' -ErrorAction Stop }} catch {{ Write-Error -ErrorRecord $_ -ErrorAction Continue }}");
        Assert.Equal(new[] { "bad", "ok1", "ok2", "slow" }, run.Results.Select(r => r.Service).Order());
        Assert.Equal(ActionStatus.Error, run.Results.Single(r => r.Service == "bad").Status);
        Assert.All(run.Results.Single(r => r.Service == "slow").Nodes, n => Assert.Equal((NodeStatus.Cancelled, (int?)null), (n.Status, n.ExitCode)));
        Assert.StartsWith("MilkCheck.ActionFailed", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void ExcludeService_gives_a_Locked_result_and_Tag_skips_the_untagged()
    {
        string path = Config("""
            services:
              app: { tags: [ a ], require: [ db ], actions: { start: { cmd: "true" } } }
              db: { tags: [ a ], actions: { start: { cmd: "touch %MARK/db" } } }
              other: { actions: { start: { cmd: "true" } } }
            """);
        var run = Invoke(path, "start -ExcludeService db -Tag a");
        Assert.Equal(ActionStatus.Locked, run.Results.Single(r => r.Service == "db").Status);
        Assert.Equal(ActionStatus.Done, run.Results.Single(r => r.Service == "app").Status);
        Assert.Equal(ActionStatus.Skipped, run.Results.Single(r => r.Service == "other").Status);
        Assert.False(File.Exists(Path.Combine(_dir, "db")));
    }

    [Fact]
    public void An_action_no_service_defines_is_a_terminating_UnknownAction_error_and_nothing_runs()
    {
        var run = Invoke(Config(Chain), "restart");
        Assert.Empty(run.Results);
        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal("MilkCheck.UnknownAction,MilkCheck.Commands.InvokeMilkCheckActionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("start", error.ToString());
        Assert.False(File.Exists(Path.Combine(_dir, "db")));
    }

    [Fact]
    public void ErrorAction_Stop_ends_the_run_at_the_first_failed_entity()
    {
        var run = Invoke(Config("""
            services:
              after_it: { after: [ bad ], actions: { start: { cmd: "touch %MARK/after" } } }
              bad: { actions: { start: { cmd: "false" } } }
            """), "start -ErrorAction Stop");
        Assert.StartsWith("MilkCheck.ActionFailed", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.False(File.Exists(Path.Combine(_dir, "after")));
    }

    [Fact]
    public void A_timeout_ends_the_action_Timeout_with_the_node_reason()
    {
        var run = Invoke(Config("""
            services:
              slow: { timeout: 0.3, actions: { start: { cmd: "sleep 30" } } }
            """), "start -ErrorAction SilentlyContinue");
        ActionResult slow = Assert.Single(run.Results);
        Assert.Equal(ActionStatus.Timeout, slow.Status);
        NodeResult node = Assert.Single(slow.Nodes);
        Assert.Equal(NodeStatus.Timeout, node.Status);
        Assert.Null(node.ExitCode);
        Assert.Contains("timed out", node.Reason);
    }

    [Fact]
    public void Measure_on_a_real_run_gives_upstreams_exit_code()
    {
        string path = Config("""
            services:
              entry: { require: [ dep ], actions: { start: { cmd: "true" } } }
              dep: { errors: 1, actions: { start: { cmd: "false" } } }
            """);
        var run = _host.RunWithStreams($"(Invoke-MilkCheckAction start -Path '{path}' -WarningAction SilentlyContinue | Measure-MilkCheckResult).ExitCode");
        Assert.Equal(3, (int)Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public void An_embedded_shell_script_with_functions_a_loop_and_a_heredoc_runs_as_one_script()
    {
        var run = Invoke(Config("""
            services:
              script:
                target: "n[1-2]"
                mode: exec
                actions:
                  status:
                    cmd: |
                      greet() {
                        echo "hello $1"
                      }
                      count=0
                      for i in 1 2 3; do
                        count=$((count + i))
                      done
                      cat <<EOF
                      sum=$count
                      EOF
                      greet %%h
                      if [ "$count" -ne 6 ]; then
                        exit 1
                      fi
                      total=0
                      while [ $total -lt 2 ]; do
                        total=$((total + 1))
                      done
                      echo "loops=$total"
                      unset count
                      unset total
                      true
                      :
            """), "status");
        ActionResult script = Assert.Single(run.Results);
        Assert.Equal(ActionStatus.Done, script.Status);
        Assert.Equal("sum=6\nhello n1\nloops=2", script.Nodes[0].Output);
        Assert.Equal("sum=6\nhello n2\nloops=2", script.Nodes[1].Output);
    }

    [Fact]
    public void A_shebang_script_runs_with_its_interpreter_locally_and_in_exec_mode()
    {
        var run = Invoke(Config("""
            services:
              local:
                actions:
                  status:
                    cmd: |
                      #!/usr/bin/env python3
                      import sys
                      print("python", sys.version_info[0])
              perNode:
                target: "n[1-2]"
                mode: exec
                actions:
                  status:
                    cmd: |
                      #!/usr/bin/env python3
                      values = [x * 2 for x in range(3)]
                      print("%%h", values)
            """), "status");
        Assert.Empty(run.Errors);
        Assert.Equal("python 3", run.Results.Single(r => r.Service == "local").Nodes[0].Output);
        Assert.Equal(new[] { "n1 [0, 2, 4]", "n2 [0, 2, 4]" }, run.Results.Single(r => r.Service == "perNode").Nodes.Select(n => n.Output));
    }

    [Fact]
    public void Table_views_show_service_status_target_failed_nodes_and_each_node()
    {
        string path = Config("""
            services:
              web: { target: "n[1-3]", mode: exec, actions: { start: { cmd: "echo hi %%h; test %%h != n2" } } }
            """);
        var run = _host.RunWithStreams($"""
            $r = Invoke-MilkCheckAction start -Path '{path}' -ErrorAction SilentlyContinue
            $PSStyle.OutputRendering = 'PlainText'
            ($r | Format-Table | Out-String -Width 80)
            ($r.Nodes | Format-Table | Out-String -Width 80)
            """);
        string results = ((string)run.Output[0].BaseObject).ReplaceLineEndings("\n");
        string nodes = ((string)run.Output[1].BaseObject).ReplaceLineEndings("\n");
        Assert.Matches(@"Service Action Status Target FailedNodes Duration", results);
        Assert.Matches(@"web +start +Error +n\[1-3\] +n2 +\d+\.\d\d s", results);
        Assert.Matches(@"Node +Service +Action +Status +Exit +Output", nodes); // exact layout: ViewSnapshotTests
        Assert.Matches(@"n2 +web +start +Failed +1 +hi n2", nodes);
    }

    [Fact]
    public void Control_characters_in_output_are_shown_as_visible_symbols_while_the_objects_keep_them()
    {
        // OSC 0 retitles the terminal, CSI 31m recolours it, BEL rings it: a view must not pass them on. $PSStyle is
        // left alone (it is process-wide); the visible symbols are asserted whatever the rendering.
        string path = Config("""
            services:
              web: { actions: { start: { cmd: "printf '\\033]0;pwned\\007\\033[31mred\\n'; exit 1" } } }
            """);
        var run = _host.RunWithStreams($"""
            $r = Invoke-MilkCheckAction start -Path '{path}' -ErrorAction SilentlyContinue
            ($r | Out-String -Width 80)
            ($r.Nodes | Format-Table | Out-String -Width 80)
            $r.Nodes[0].Output
            """);
        string view = (string)run.Output[0].BaseObject;
        string table = (string)run.Output[1].BaseObject;
        Assert.Contains(" > localhost: \u241B]0;pwned\u2407\u241B[31mred", view);
        Assert.Contains("\u241B]0;pwned\u2407\u241B[31mred", table);
        Assert.DoesNotContain("\u001B]", view + table, StringComparison.Ordinal); // the view's own colours (ESC[…m) may remain
        Assert.DoesNotContain("\u001B[31mred", view + table, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0007', view + table);
        Assert.Equal("\u001B]0;pwned\u0007\u001B[31mred", (string)run.Output[2].BaseObject);
    }
}
