using MilkCheck.Configuration;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Scheduling;

public sealed class RunEngineTests
{
    private static int IndexOf(IReadOnlyList<string> calls, string command)
    {
        int index = calls.ToList().FindIndex(c => c == command || c.EndsWith(":" + command, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{command}' never ran; ran: {string.Join(", ", calls)}");
        return index;
    }

    [Fact]
    public void Dependencies_run_before_their_dependents_and_every_reached_entity_gets_one_result()
    {
        using var run = new RunHarness("""
            services:
              a: { require: [ b ], actions: { start: { cmd: start-a } } }
              b: { require: [ c ], actions: { start: { cmd: start-b } } }
              c: { actions: { start: { cmd: start-c } } }
            """);
        var results = run.Run("start");
        Assert.Equal(new[] { "start-c", "start-b", "start-a" }, run.LocalCalls);
        Assert.Equal(new[] { "c", "b", "a" }, results.Select(r => r.Service));
        Assert.All(results, r => Assert.Equal(ActionStatus.Done, r.Status));
        Assert.True(results.Of("a").IsEntry);
        Assert.False(results.Of("c").IsEntry);
        var node = Assert.Single(results.Of("c").Nodes);
        Assert.Equal("localhost", node.Node);
        Assert.Equal("start-c", results.Of("c").Command);
        Assert.Equal(1, results.Of("c").Attempts);
    }

    [Fact]
    public void A_failed_require_makes_the_dependent_DependencyError_without_running_it()
    {
        using var run = new RunHarness("""
            services:
              app: { require: [ db ], actions: { start: { cmd: start-app } } }
              db: { actions: { start: { cmd: fail } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Error, results.StatusOf("db"));
        Assert.Equal(ActionStatus.DependencyError, results.StatusOf("app"));
        Assert.DoesNotContain("start-app", run.LocalCalls);
        Assert.Empty(results.Of("app").Nodes);
        Assert.Equal(6, RunSummary.ExitCodeOf(results));
    }

    [Theory]
    [InlineData("after")]
    [InlineData("require_weak")]
    [InlineData("before")]
    public void A_failed_weak_dependency_does_not_stop_the_dependent(string key)
    {
        using var run = new RunHarness($$"""
            services:
              app: { {{key}}: [ db ], actions: { start: { cmd: start-app } } }
              db: { actions: { start: { cmd: fail } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Done, results.StatusOf("app"));
        Assert.True(IndexOf(run.LocalCalls, "fail") < IndexOf(run.LocalCalls, "start-app"));
        Assert.Equal(0, RunSummary.ExitCodeOf(results)); // upstream: ok_svc -after-> fail_svc gives 0
    }

    [Fact]
    public void Nodes_that_failed_within_tolerance_in_a_require_are_removed_from_the_dependent_target()
    {
        using var run = new RunHarness("""
            services:
              base: { target: "n[1-4]", errors: 1, actions: { start: { cmd: fail @n2 } } }
              dep: { require: [ base ], target: "n[1-4]", actions: { start: { cmd: start-dep } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Warning, results.StatusOf("base"));
        Assert.Equal("n2", results.Of("base").FailedNodes);
        Assert.Equal(ActionStatus.Done, results.StatusOf("dep"));
        Assert.Equal(new[] { "n1", "n3", "n4" }, results.Of("dep").Nodes.Select(n => n.Node).Order());
        Assert.Equal("n[1-4]", results.Of("dep").Target); // the configured target, before filtering
    }

    [Fact]
    public void Filter_runs_the_dependent_on_the_nodes_left_even_when_the_dependency_is_in_error()
    {
        using var run = new RunHarness("""
            services:
              base: { target: "n[1-3]", actions: { start: { cmd: "fail @n[1-2]" } } }
              dep: { filter: [ base ], target: "n[1-3]", actions: { start: { cmd: start-dep } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Error, results.StatusOf("base"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("dep"));
        Assert.Equal("n3", Assert.Single(results.Of("dep").Nodes).Node);
    }

    [Fact]
    public void After_edges_do_not_filter_nodes()
    {
        using var run = new RunHarness("""
            services:
              base: { target: "n[1-3]", errors: 5, actions: { start: { cmd: fail @n1 } } }
              dep: { after: [ base ], target: "n[1-3]", actions: { start: { cmd: start-dep } } }
            """);
        var results = run.Run("start");
        Assert.Equal(3, results.Of("dep").Nodes.Count);
    }

    [Fact]
    public void Failed_nodes_propagate_transitively_along_strong_edges()
    {
        using var run = new RunHarness("""
            services:
              a: { require: [ b ], target: "n[1-4]", actions: { start: { cmd: start-a } } }
              b: { require: [ c ], target: "n[1-4]", actions: { start: { cmd: start-b } } }
              c: { target: "n[1-4]", warnings: 0, errors: 1, actions: { start: { cmd: fail @n4 } } }
            """);
        var results = run.Run("start");
        Assert.Equal(new[] { "n1", "n2", "n3" }, results.Of("a").Nodes.Select(n => n.Node).Order());
    }

    [Fact]
    public void A_target_emptied_by_failed_nodes_is_Skipped_not_DependencyError()
    {
        using var run = new RunHarness("""
            services:
              base: { target: "n1", errors: 1, actions: { start: { cmd: fail } } }
              dep: { require: [ base ], target: "n1", actions: { start: { cmd: start-dep } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Warning, results.StatusOf("base"));
        Assert.Equal(ActionStatus.Skipped, results.StatusOf("dep"));
    }

    [Fact]
    public void A_check_edge_runs_status_on_the_dependency()
    {
        using var run = new RunHarness("""
            services:
              app: { check: [ db ], actions: { start: { cmd: start-app } } }
              db: { actions: { start: { cmd: start-db }, status: { cmd: status-db } } }
            """);
        var results = run.Run("start");
        Assert.Equal(new[] { "status-db", "start-app" }, run.LocalCalls);
        Assert.Equal("status", results.Of("db").Action);
        Assert.Equal("start", results.Of("app").Action);
    }

    [Fact]
    public void A_failed_check_dependency_is_a_DependencyError_like_require()
    {
        using var run = new RunHarness("""
            services:
              app: { check: [ db ], actions: { start: { cmd: start-app } } }
              db: { actions: { status: { cmd: fail } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.DependencyError, results.StatusOf("app"));
    }

    [Fact]
    public void Missing_is_transparent_the_dependencies_still_run_and_errors_do_not_cross_it()
    {
        using var run = new RunHarness("""
            services:
              A: { require: [ B ], actions: { start: { cmd: start-A } } }
              B: { require: [ C ], actions: { status: { cmd: status-B } } }
              C: { actions: { start: { cmd: fail } } }
            """);
        var results = run.Run("start", o => o with { Services = new[] { "A" } });
        Assert.Equal(ActionStatus.Error, results.StatusOf("C"));
        Assert.Equal(ActionStatus.Missing, results.StatusOf("B"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("A"));
        Assert.Equal(0, RunSummary.ExitCodeOf(results));
    }

    [Fact]
    public void An_excluded_service_is_Locked_its_dependents_run_and_its_own_dependencies_are_not_pulled()
    {
        using var run = new RunHarness("""
            services:
              app: { require: [ db ], actions: { start: { cmd: start-app } } }
              db: { require: [ disk ], actions: { start: { cmd: start-db } } }
              disk: { actions: { start: { cmd: start-disk } } }
            """);
        var results = run.Run("start", o => o with { Services = new[] { "app" }, ExcludedServices = new[] { "db" } });
        Assert.Equal(new[] { "start-app" }, run.LocalCalls);
        Assert.Equal(ActionStatus.Locked, results.StatusOf("db"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("app"));
        Assert.DoesNotContain(results, r => r.Service == "disk");
    }

    [Fact]
    public void Excluding_a_group_member_or_an_unknown_name_is_ignored_with_a_warning()
    {
        using var run = new RunHarness("""
            services:
              g:
                services:
                  m: { actions: { start: { cmd: start-m } } }
            """);
        var results = run.Run("start", o => o with { ExcludedServices = new[] { "m", "nope" } });
        Assert.Equal(ActionStatus.Done, results.StatusOf("g.m"));
        Assert.Equal(2, run.Warnings.Count(w => w.Id == "MilkCheck.UnknownExcludedService"));
    }

    [Fact]
    public void Tags_skip_untagged_top_level_entities_but_their_dependencies_still_run()
    {
        using var run = new RunHarness("""
            services:
              web: { tags: [ front ], require: [ db ], actions: { start: { cmd: start-web } } }
              db: { actions: { start: { cmd: start-db } } }
            """);
        var results = run.Run("start", o => o with { Tags = new[] { "back" } });
        Assert.Equal(ActionStatus.Skipped, results.StatusOf("web"));
        Assert.Equal(ActionStatus.Skipped, results.StatusOf("db"));
        Assert.Empty(run.LocalCalls);

        using var again = new RunHarness("""
            services:
              web: { tags: [ front ], require: [ db ], actions: { start: { cmd: start-web } } }
              db: { tags: [ back ], actions: { start: { cmd: start-db } } }
            """);
        var second = again.Run("start", o => o with { Tags = new[] { "back" } });
        Assert.Equal(new[] { "start-db" }, again.LocalCalls);
        Assert.Equal(ActionStatus.Skipped, second.StatusOf("web"));
    }

    [Fact]
    public void A_matching_group_runs_all_its_members_whatever_their_own_tags()
    {
        using var run = new RunHarness("""
            services:
              g:
                tags: [ t ]
                services:
                  m1: { tags: [ other ], actions: { start: { cmd: start-m1 } } }
                  m2: { actions: { start: { cmd: start-m2 } } }
            """);
        var results = run.Run("start", o => o with { Tags = new[] { "t" } });
        Assert.Equal(ActionStatus.Done, results.StatusOf("g"));
        Assert.Equal(2, run.LocalCalls.Count);
    }

    [Fact]
    public void Reversed_actions_run_dependents_first()
    {
        using var run = new RunHarness("""
            services:
              S1: { require: [ S2 ], actions: { stop: { cmd: stop-S1 } } }
              S2: { require: [ S3 ], actions: { stop: { cmd: stop-S2 } } }
              S3: { actions: { stop: { cmd: stop-S3 } } }
            """);
        var results = run.Run("stop");
        Assert.Equal(new[] { "stop-S1", "stop-S2", "stop-S3" }, run.LocalCalls);
        Assert.True(results.Of("S3").IsEntry);
        Assert.False(results.Of("S1").IsEntry);
    }

    [Fact]
    public void A_failed_reversed_action_makes_the_service_it_depends_on_DependencyError_except_over_after()
    {
        using var run = new RunHarness("""
            services:
              D: { require: [ B ], actions: { stop: { cmd: fail } } }
              B: { actions: { stop: { cmd: stop-B } } }
              W: { after: [ C ], actions: { stop: { cmd: fail } } }
              C: { actions: { stop: { cmd: stop-C } } }
            """);
        var results = run.Run("stop");
        Assert.Equal(ActionStatus.DependencyError, results.StatusOf("B"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("C"));
        Assert.Contains("stop-C", run.LocalCalls);
        Assert.DoesNotContain("stop-B", run.LocalCalls);
    }

    [Fact]
    public void An_entry_in_reversed_mode_pulls_its_dependents_not_its_dependencies()
    {
        using var run = new RunHarness("""
            services:
              S1: { require: [ S2 ], actions: { stop: { cmd: stop-S1 } } }
              S2: { require: [ S3 ], actions: { stop: { cmd: stop-S2 } } }
              S3: { actions: { stop: { cmd: stop-S3 } } }
            """);
        run.Run("stop", o => o with { Services = new[] { "S2" } });
        Assert.Equal(new[] { "stop-S1", "stop-S2" }, run.LocalCalls);
    }

    [Fact]
    public void A_check_edge_in_reversed_mode_asks_the_dependent_for_status()
    {
        using var run = new RunHarness("""
            services:
              chk: { check: [ base ], actions: { stop: { cmd: stop-chk }, status: { cmd: status-chk } } }
              base: { actions: { stop: { cmd: stop-base } } }
            """);
        run.Run("stop", o => o with { Services = new[] { "base" } });
        Assert.Equal(new[] { "status-chk", "stop-base" }, run.LocalCalls);
    }

    [Fact]
    public void Named_entries_run_their_dependencies_but_not_their_dependents()
    {
        using var run = new RunHarness("""
            services:
              a: { require: [ b ], actions: { start: { cmd: start-a } } }
              b: { require: [ c ], actions: { start: { cmd: start-b } } }
              c: { actions: { start: { cmd: start-c } } }
            """);
        var results = run.Run("start", o => o with { Services = new[] { "b" } });
        Assert.Equal(new[] { "start-c", "start-b" }, run.LocalCalls);
        Assert.True(results.Of("b").IsEntry);
    }

    [Fact]
    public void NoDependencies_runs_only_the_entries_and_without_names_only_the_roots()
    {
        using var run = new RunHarness("""
            services:
              a: { require: [ b ], actions: { start: { cmd: start-a } } }
              b: { actions: { start: { cmd: start-b } } }
              lone: { actions: { start: { cmd: start-lone } } }
            """);
        var results = run.Run("start", o => o with { NoDependencies = true });
        Assert.Equal(new[] { "start-a", "start-lone" }, run.LocalCalls.Order());
        Assert.DoesNotContain(results, r => r.Service == "b");
    }

    [Fact]
    public void Node_selection_restricts_every_target_leaves_local_services_alone_and_skips_emptied_ones()
    {
        using var run = new RunHarness("""
            services:
              compute: { target: "n[1-4]", actions: { start: { cmd: start-compute } } }
              io: { target: "io[1-2]", actions: { start: { cmd: start-io } } }
              local: { actions: { start: { cmd: start-local } } }
            """);
        var results = run.Run("start", o => o with { Nodes = NodeSet.Parse("n[1-3]"), ExcludedNodes = NodeSet.Parse("n2") });
        Assert.Equal(new[] { "n1", "n3" }, results.Of("compute").Nodes.Select(n => n.Node).Order());
        Assert.Equal(ActionStatus.Skipped, results.StatusOf("io"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("local"));
        Assert.Equal(new[] { "start-local" }, run.LocalCalls);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void A_node_selection_that_leaves_nothing_warns_and_never_widens()
    {
        using var run = new RunHarness("""
            services:
              compute: { target: "n[1-4]", actions: { start: { cmd: start-compute } } }
              local: { actions: { start: { cmd: start-local } } }
            """);
        var results = run.Run("start", o => o with { Nodes = NodeSet.Parse("other1") });
        Assert.Equal(ActionStatus.Skipped, results.StatusOf("compute"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("local"));
        Assert.Empty(run.RemoteCalls);
        Assert.Contains(run.Warnings, w => w.Id == "MilkCheck.EmptyNodeSelection");
    }

    [Fact]
    public void Retry_reruns_the_whole_target_and_only_the_last_attempt_counts()
    {
        using var run = new RunHarness("""
            services:
              s: { target: "n[1-2]", retry: 2, errors: 1, actions: { start: { cmd: fail @n1 } } }
            """);
        var results = run.Run("start");
        ActionResult s = results.Of("s");
        Assert.Equal(3, s.Attempts);
        Assert.Equal(6, run.RemoteCalls.Count); // both nodes each time, although n2 succeeded
        Assert.Equal(2, s.Nodes.Count);
        Assert.Equal(ActionStatus.Warning, s.Status);
    }

    [Fact]
    public void Delay_is_waited_before_every_attempt_and_counted_in_the_duration()
    {
        using var run = new RunHarness("""
            services:
              s: { delay: 0.1, retry: 1, actions: { start: { cmd: fail } } }
            """);
        ActionResult s = run.Run("start").Of("s");
        Assert.Equal(2, s.Attempts);
        Assert.True(s.Duration >= TimeSpan.FromMilliseconds(200), $"two delays of 0.1 s, measured {s.Duration}");
    }

    [Fact]
    public void A_successful_attempt_ends_the_retries()
    {
        int calls = 0;
        using var run = new RunHarness("""
            services:
              s: { retry: 3, actions: { start: { cmd: flaky } } }
            """);
        var flaky = new DelegateTransport((node, command) => Interlocked.Increment(ref calls) < 2
            ? new MilkCheck.Execution.NodeOutcome(NodeStatus.Failed, 1, "no", TimeSpan.Zero, null)
            : new MilkCheck.Execution.NodeOutcome(NodeStatus.Ok, 0, "yes", TimeSpan.Zero, null));
        var results = run.Run("start", local: flaky);
        Assert.Equal(2, results.Of("s").Attempts);
        Assert.Equal(ActionStatus.Done, results.StatusOf("s"));
        Assert.Equal("yes", Assert.Single(results.Of("s").Nodes).Output);
    }

    [Theory]
    [InlineData("fail @n1", 0, 0, ActionStatus.Error)]
    [InlineData("fail @n1", 1, 0, ActionStatus.Warning)]
    [InlineData("fail @n1", 1, 1, ActionStatus.Done)]
    [InlineData("timeout @n1", 0, 0, ActionStatus.Timeout)]
    [InlineData("unreachable @n1", 0, 0, ActionStatus.Error)]
    [InlineData("fail", 1, 0, ActionStatus.Error)]
    public void Errors_and_warnings_thresholds_decide_the_status(string command, int errors, int warnings, ActionStatus expected)
    {
        using var run = new RunHarness($$"""
            services:
              s: { target: "n[1-2]", errors: {{errors}}, warnings: {{warnings}}, actions: { start: { cmd: "{{command}}" } } }
            """);
        var results = run.Run("start");
        Assert.Equal(expected, results.StatusOf("s"));
        Assert.NotEmpty(results.Of("s").FailedNodes); // recorded whatever the status
    }

    [Fact]
    public void Thresholds_and_timeouts_may_come_from_variables_and_defines()
    {
        using var run = new RunHarness("""
            variables:
              TOL: 1
            services:
              s: { target: "n[1-2]", errors: "%TOL", actions: { start: { cmd: "fail @n1" } } }
            """);
        Assert.Equal(ActionStatus.Warning, run.Run("start").StatusOf("s"));
        Assert.Equal(ActionStatus.Error, run.Run("start", o => o with { Defines = new Dictionary<string, string> { ["TOL"] = "0" } }).StatusOf("s"));
    }

    [Fact]
    public void A_non_numeric_threshold_from_a_define_is_a_setup_error_before_anything_runs()
    {
        using var run = new RunHarness("""
            variables:
              TOL: 1
            services:
              s: { errors: "%TOL", actions: { start: { cmd: go } } }
            """);
        var e = Assert.Throws<RunSetupException>(() => run.Run("start", o => o with { Defines = new Dictionary<string, string> { ["TOL"] = "many" } }));
        Assert.Equal("MilkCheck.ConfigurationInvalid", e.ErrorId);
        Assert.Contains("'errors' of 's.start' is 'many'", e.Message);
        Assert.Contains("services.yaml:", e.Message);
        Assert.Empty(run.LocalCalls);
    }

    [Fact]
    public void Defines_replace_file_variables_in_commands()
    {
        using var run = new RunHarness("""
            variables:
              WHO: file
            services:
              s: { actions: { start: { cmd: "hello %WHO from %SERVICE" } } }
            """);
        run.Run("start", o => o with { Defines = new Dictionary<string, string> { ["WHO"] = "define" } });
        Assert.Equal(new[] { "hello define from s" }, run.LocalCalls);
    }

    [Fact]
    public void An_action_level_check_that_succeeds_marks_the_action_Done_without_running_it()
    {
        using var run = new RunHarness("""
            services:
              svc:
                target: "n[1-2]"
                actions:
                  start: { check: [ status ], cmd: start-svc }
                  status: { cmd: status-svc }
            """);
        var results = run.Run("start");
        ActionResult svc = results.Of("svc");
        Assert.Equal(ActionStatus.Done, svc.Status);
        Assert.Equal(0, svc.Attempts);
        Assert.Empty(svc.Nodes);
        ActionResult check = Assert.Single(svc.Checks);
        Assert.Equal("status", check.Action);
        Assert.Equal(2, check.Nodes.Count);
        Assert.DoesNotContain(run.RemoteCalls, c => c.EndsWith("start-svc"));
        Assert.Equal(2, RunSummary.FromResults(results).Total); // the check and the action both count
    }

    [Fact]
    public void An_action_level_check_that_fails_runs_the_action_on_its_whole_target_and_its_failed_nodes_flow_on()
    {
        using var run = new RunHarness("""
            services:
              svc:
                target: "n[1-2]"
                actions:
                  start: { check: [ status ], cmd: start-svc }
                  status: { cmd: fail @n1 }
              user: { require: [ svc ], target: "n[1-2]", actions: { start: { cmd: start-user } } }
            """);
        var results = run.Run("start");
        ActionResult svc = results.Of("svc");
        Assert.Equal(ActionStatus.Done, svc.Status);
        Assert.Equal(ActionStatus.Error, Assert.Single(svc.Checks).Status);
        Assert.Equal(2, svc.Nodes.Count);
        // upstream (spec §6.1 #2): the check's failed node is removed from the dependent's target
        Assert.Equal("n2", Assert.Single(results.Of("user").Nodes).Node);
        Assert.Equal(0, RunSummary.ExitCodeOf(results));
        Assert.Equal(new[] { "svc.status" }, RunSummary.FromResults(results).FailedActions);
    }

    [Fact]
    public void An_action_level_check_ending_Warning_runs_the_action_instead_of_getting_stuck()
    {
        using var run = new RunHarness("""
            services:
              svc:
                target: "n[1-2]"
                errors: 1
                actions:
                  start: { check: [ status ], cmd: start-svc }
                  status: { cmd: fail @n1 }
              next: { require: [ svc ], actions: { start: { cmd: start-next } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Warning, Assert.Single(results.Of("svc").Checks).Status);
        Assert.Equal(ActionStatus.Done, results.StatusOf("svc"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("next"));
    }

    [Fact]
    public void Actions_that_check_each_other_are_each_checked_once_and_the_run_ends()
    {
        using var run = new RunHarness("""
            services:
              svc:
                actions:
                  start: { check: [ status ], cmd: start-svc }
                  status: { check: [ start ], cmd: status-svc }
            """);
        var results = run.Run("start");
        ActionResult svc = results.Of("svc");
        Assert.Equal(ActionStatus.Done, svc.Status);
        Assert.Equal("status", Assert.Single(svc.Checks).Action);
        Assert.Equal(new[] { "status-svc" }, run.LocalCalls);
    }

    [Fact]
    public void An_action_no_service_defines_is_a_setup_error_listing_the_defined_actions_and_nothing_runs()
    {
        using var run = new RunHarness("""
            services:
              a: { check: [ b ], actions: { start: { cmd: start-a }, stop: { cmd: stop-a } } }
              b: { actions: { status: { cmd: status-b } } }
            """);
        var e = Assert.Throws<RunSetupException>(() => run.Run("restart"));
        Assert.Equal("MilkCheck.UnknownAction", e.ErrorId);
        Assert.Equal("restart", e.Target);
        Assert.Contains("'restart'", e.Message);
        Assert.Contains("start, status, stop", e.Message);
        Assert.Empty(run.LocalCalls);
    }

    [Fact]
    public void A_service_lacking_an_action_another_service_defines_is_Missing_and_the_others_run()
    {
        using var run = new RunHarness("""
            services:
              a: { require: [ b ], actions: { start: { cmd: start-a } } }
              b: { actions: { status: { cmd: status-b } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Missing, results.StatusOf("b"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("a"));
        Assert.Equal(new[] { "start-a" }, run.LocalCalls);
    }

    [Fact]
    public void An_unknown_entry_service_is_a_setup_error_naming_it()
    {
        using var run = new RunHarness("""
            services:
              a: { actions: { start: { cmd: start-a } } }
            """);
        var e = Assert.Throws<RunSetupException>(() => run.Run("start", o => o with { Services = new[] { "nope" } }));
        Assert.Equal("MilkCheck.UnknownService", e.ErrorId);
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void A_group_runs_its_members_in_their_order_and_is_written_after_the_last_one()
    {
        using var run = new RunHarness("""
            services:
              g:
                services:
                  top: { require: [ bottom ], actions: { start: { cmd: start-top } } }
                  bottom: { actions: { start: { cmd: start-bottom } } }
              after_g: { require: [ g ], actions: { start: { cmd: start-after } } }
            """);
        var results = run.Run("start");
        Assert.Equal(new[] { "start-bottom", "start-top", "start-after" }, run.LocalCalls);
        Assert.Equal(new[] { "g.bottom", "g.top", "g", "after_g" }, results.Select(r => r.Service));
        Assert.Equal("g", results.Of("g.top").Group);
        Assert.Equal(EntityKind.Group, results.Of("g").Kind);
        Assert.Equal(ActionStatus.Done, results.StatusOf("g"));
    }

    [Fact]
    public void A_failing_top_member_makes_the_group_DependencyError_and_stops_its_strong_dependents()
    {
        using var run = new RunHarness("""
            services:
              g:
                services:
                  m: { actions: { start: { cmd: fail } } }
              user: { require: [ g ], actions: { start: { cmd: start-user } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Error, results.StatusOf("g.m"));
        Assert.Equal(ActionStatus.DependencyError, results.StatusOf("g"));
        Assert.Equal(ActionStatus.DependencyError, results.StatusOf("user"));
    }

    [Fact]
    public void Members_reached_only_through_a_weak_edge_do_not_change_the_group_status()
    {
        using var run = new RunHarness("""
            services:
              g:
                services:
                  top: { after: [ bottom ], actions: { start: { cmd: start-top } } }
                  bottom: { actions: { start: { cmd: fail } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Error, results.StatusOf("g.bottom"));
        Assert.Equal(ActionStatus.Done, results.StatusOf("g"));
        Assert.Equal(0, RunSummary.ExitCodeOf(results));
    }

    [Fact]
    public void A_group_with_a_failed_strong_dependency_is_DependencyError_and_runs_no_member()
    {
        using var run = new RunHarness("""
            services:
              base: { actions: { start: { cmd: fail } } }
              g:
                require: [ base ]
                services:
                  m: { actions: { start: { cmd: start-m } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.DependencyError, results.StatusOf("g"));
        Assert.DoesNotContain("start-m", run.LocalCalls);
    }

    [Fact]
    public void A_group_whose_members_lack_the_action_is_Missing_and_one_filtered_out_is_Skipped()
    {
        using var run = new RunHarness("""
            services:
              g:
                services:
                  m: { actions: { start: { cmd: start-m } } }
              h:
                target: "n1"
                services:
                  m: { actions: { status: { cmd: status-m } } }
            """);
        var results = run.Run("status", o => o with { Nodes = NodeSet.Parse("n9") });
        Assert.Equal(ActionStatus.Missing, results.StatusOf("g"));
        Assert.Equal(ActionStatus.Skipped, results.StatusOf("h"));
        Assert.DoesNotContain(results, r => r.Service.StartsWith("g.") || r.Service.StartsWith("h."));
    }

    [Fact]
    public void Failed_nodes_reaching_a_group_are_pushed_to_its_members_and_its_top_members_pass_theirs_on()
    {
        using var run = new RunHarness("""
            services:
              base: { target: "n[1-4]", errors: 1, actions: { start: { cmd: fail @n1 } } }
              g:
                require: [ base ]
                target: "n[1-4]"
                errors: 1
                services:
                  m: { actions: { start: { cmd: fail @n2 } } }
              user: { require: [ g ], target: "n[1-4]", actions: { start: { cmd: start-user } } }
            """);
        var results = run.Run("start");
        Assert.Equal(new[] { "n2", "n3", "n4" }, results.Of("g.m").Nodes.Select(n => n.Node).Order());
        Assert.Equal(new[] { "n3", "n4" }, results.Of("user").Nodes.Select(n => n.Node).Order());
    }

    [Fact]
    public void A_dotted_member_name_is_a_valid_entry()
    {
        using var run = new RunHarness("""
            services:
              g:
                services:
                  a: { require: [ b ], actions: { start: { cmd: start-a } } }
                  b: { actions: { start: { cmd: start-b } } }
                  c: { actions: { start: { cmd: start-c } } }
            """);
        var results = run.Run("start", o => o with { Services = new[] { "g.a" } });
        Assert.Equal(new[] { "start-b", "start-a" }, run.LocalCalls);
        Assert.DoesNotContain(results, r => r.Service == "g");
    }

    [Fact]
    public void Exit_code_is_3_for_a_top_level_warning_and_0_when_the_warning_is_inside_a_group()
    {
        using var top = new RunHarness("""
            services:
              entry: { require: [ dep ], actions: { start: { cmd: ok } } }
              dep: { errors: 1, actions: { start: { cmd: fail } } }
            """);
        Assert.Equal(3, RunSummary.ExitCodeOf(top.Run("start", o => o with { Services = new[] { "entry" } })));

        using var inside = new RunHarness("""
            services:
              g:
                services:
                  entry: { require: [ dep ], actions: { start: { cmd: ok } } }
                  dep: { errors: 1, actions: { start: { cmd: fail } } }
            """);
        Assert.Equal(0, RunSummary.ExitCodeOf(inside.Run("start")));
    }

    [Fact]
    public void Delegate_mode_runs_one_local_command_and_records_localhost_as_failed()
    {
        using var run = new RunHarness("""
            services:
              d: { target: "n[1-3]", mode: delegate, actions: { start: { cmd: "fail" } } }
            """);
        var results = run.Run("start");
        Assert.Single(run.LocalCalls);
        Assert.Empty(run.RemoteCalls);
        Assert.Equal("localhost", results.Of("d").FailedNodes);
        Assert.Equal("n[1-3]", results.Of("d").Target);
    }

    [Fact]
    public void A_local_failure_records_no_failed_nodes()
    {
        using var run = new RunHarness("""
            services:
              l: { actions: { start: { cmd: "fail" } } }
            """);
        var results = run.Run("start");
        Assert.Equal(ActionStatus.Error, results.StatusOf("l"));
        Assert.Equal(string.Empty, results.Of("l").FailedNodes);
        Assert.Equal(string.Empty, results.Of("l").Target);
    }

    [Fact]
    public void Remote_targets_go_to_the_remote_transport_once_per_node()
    {
        using var run = new RunHarness("""
            services:
              r: { target: "n[1-5]", actions: { start: { cmd: "uptime" } } }
            """);
        var results = run.Run("start");
        Assert.Equal(5, run.RemoteCalls.Count);
        Assert.Equal(new[] { "n1", "n2", "n3", "n4", "n5" }, results.Of("r").Nodes.Select(n => n.Node));
        Assert.Equal("r", results.Of("r").Nodes[0].Service);
        Assert.Equal("start", results.Of("r").Nodes[0].Action);
    }

    [Fact]
    public void A_per_action_fanout_caps_every_command_in_flight()
    {
        using var run = new RunHarness("""
            services:
              slow: { target: "n[1-20]", fanout: 1, actions: { start: { cmd: "x" } } }
              other: { target: "m[1-20]", actions: { start: { cmd: "y" } } }
            """);
        var crowdedSlow = new List<int>();
        run.Remote.Gate = (node, command, token) =>
        {
            if (command == "x")
                lock (crowdedSlow)
                    crowdedSlow.Add(run.Remote.InFlight);
            return Task.CompletedTask;
        };
        run.Run("start");
        Assert.Equal(40, run.RemoteCalls.Count);
        // While the fanout-1 action runs, it runs alone: the other action waits too (spec §4.2.6).
        Assert.Equal(20, crowdedSlow.Count);
        Assert.All(crowdedSlow, inFlight => Assert.Equal(1, inFlight));
    }

    [Fact]
    public void The_fanout_option_caps_commands_in_flight()
    {
        using var run = new RunHarness("""
            services:
              s: { target: "n[1-50]", actions: { start: { cmd: "x" } } }
            """);
        run.Run("start", o => o with { Fanout = 3 });
        Assert.InRange(run.Remote.MaxInFlight, 1, 3);
        Assert.Throws<RunSetupException>(() => run.Plan("start", o => o with { Fanout = 0 }));
    }

    [Fact]
    public async Task A_plan_only_run_lists_actions_in_run_order_and_executes_nothing()
    {
        using var run = new RunHarness("""
            services:
              a: { require: [ b ], target: "n[1-2]", actions: { start: { cmd: "start-a %TARGET" } } }
              b:
                actions:
                  start: { check: [ status ], cmd: start-b }
                  status: { cmd: status-b }
            """);
        var engine = new RunEngine(run.Plan("start", o => o with { ExcludedNodes = NodeSet.Parse("n2") }), run.Local, run.Remote, planOnly: true);
        await engine.RunAsync();
        Assert.Empty(run.LocalCalls);
        Assert.Empty(run.RemoteCalls);
        Assert.Equal(new[] { "b.status", "b.start", "a.start" }, engine.Planned.Select(p => $"{p.Service}.{p.Action}"));
        Assert.Equal("n1", engine.Planned[2].Target);
        Assert.Equal("start-a n[1-2]", engine.Planned[2].Command);
    }

    [Fact]
    public async Task Cancelling_a_run_reports_the_running_action_with_its_finished_and_cancelled_nodes_and_starts_nothing_new()
    {
        using var run = new RunHarness("""
            services:
              last: { require: [ slow ], actions: { start: { cmd: last } } }
              slow: { require: [ first ], target: 'n[1-3]', actions: { start: { cmd: slow, mode: exec } } }
              first: { actions: { start: { cmd: first } } }
            """);
        using var cancel = new CancellationTokenSource();
        var twoFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int finished = 0;
        run.Local.Gate = async (node, command, token) =>
        {
            if (command != "slow")
                return;
            if (node != "n3")
            {
                if (Interlocked.Increment(ref finished) == 2)
                    twoFinished.TrySetResult();
                return;
            }
            await Task.Delay(Timeout.Infinite, token);
        };
        var engine = new RunEngine(run.Plan("start"), run.Local, run.Remote, run.Observer);
        Task<IReadOnlyList<ActionResult>> running = engine.RunAsync(cancel.Token);
        await twoFinished.Task;
        while (!run.Observer.Events.Contains("node slow.start n2") || !run.Observer.Events.Contains("node slow.start n1"))
            await Task.Yield();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Contains("done first Done", run.Observer.Events);
        ActionResult slow = engine.Results.Of("slow");
        Assert.Equal(ActionStatus.Error, slow.Status);
        Assert.Equal(new[] { NodeStatus.Ok, NodeStatus.Ok, NodeStatus.Cancelled }, slow.Nodes.OrderBy(n => n.Node).Select(n => n.Status));
        NodeResult cut = slow.Nodes.Single(n => n.Node == "n3");
        Assert.Null(cut.ExitCode);
        Assert.False(string.IsNullOrEmpty(cut.Reason));
        Assert.DoesNotContain(run.Observer.Events, e => e.StartsWith("done last"));
        Assert.DoesNotContain("last", run.LocalCalls);
    }

    [Fact]
    public async Task Stop_at_first_failure_writes_the_actions_still_running_with_their_nodes_cancelled()
    {
        using var run = new RunHarness("""
            services:
              bad: { actions: { start: { cmd: fail } } }
              slow: { target: 'n[1-2]', actions: { start: { cmd: slow, mode: exec } } }
            """);
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.Local.Gate = async (node, command, token) =>
        {
            if (command == "fail")
                await slowStarted.Task;
            else if (node == "n2")
            {
                slowStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            }
        };
        var engine = new RunEngine(run.Plan("start"), run.Local, run.Remote, run.Observer, stopAtFirstFailure: true);
        var results = await engine.RunAsync();
        Assert.Equal(ActionStatus.Error, results.StatusOf("bad"));
        Assert.Equal(NodeStatus.Cancelled, results.Of("slow").Nodes.Single(n => n.Node == "n2").Status);
    }

    [Fact]
    public async Task Stop_at_first_failure_ends_the_run_after_the_failed_result_without_an_exception()
    {
        using var run = new RunHarness("""
            services:
              later: { after: [ bad ], actions: { start: { cmd: later } } }
              bad: { actions: { start: { cmd: fail } } }
            """);
        var engine = new RunEngine(run.Plan("start"), run.Local, run.Remote, run.Observer, stopAtFirstFailure: true);
        var results = await engine.RunAsync();
        Assert.Equal("bad", Assert.Single(results).Service);
        Assert.DoesNotContain("later", run.LocalCalls);
    }

    [Fact]
    public void A_transport_that_takes_a_whole_node_set_gets_each_action_in_one_call_with_its_fanout()
    {
        using var run = new RunHarness("""
            services:
              web: { require: [ db ], target: "n[1-3]", fanout: 2, actions: { start: { cmd: serve } } }
              db: { target: "n[1-4]", errors: 1, actions: { start: { cmd: store } } }
            """);
        var gateway = new WholeNodeSetTransport();
        var results = run.Run("start", remote: gateway);
        Assert.Equal(new[] { ("n[1-4]", "store", 64), ("n[1,3]", "serve", 2) },
            gateway.Calls.Select(c => (MilkCheck.NodeSets.NodeSet.FromList(c.Nodes).ToString(), c.Command, c.Fanout)));
        Assert.Equal(("n2", NodeStatus.Failed), (results.Of("db").FailedNodes, results.Of("db").Nodes.Single(n => n.Node == "n2").Status));
        Assert.Equal(6, run.Observer.Events.Count(e => e.StartsWith("node ")));
    }

    [Fact]
    public void Independent_branches_run_concurrently()
    {
        using var run = new RunHarness("""
            services:
              a: { actions: { start: { cmd: a } } }
              b: { actions: { start: { cmd: b } } }
            """);
        var bothIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int arrived = 0;
        run.Local.Gate = async (node, command, token) =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
                bothIn.TrySetResult();
            await bothIn.Task.WaitAsync(token); // would never finish if the two ran one after the other
        };
        var results = run.Run("start");
        Assert.Equal(2, run.Local.MaxInFlight);
        Assert.Equal(2, results.Count);
    }
}

/// <summary>A gateway-like transport: takes an action's whole node set in one call.</summary>
internal sealed class WholeNodeSetTransport : MilkCheck.Execution.INodeSetTransport
{
    public List<(IReadOnlyList<string> Nodes, string Command, int Fanout)> Calls { get; } = new();

    public Task<MilkCheck.Execution.NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A whole node set transport is given the whole node set.");

    public Task<IReadOnlyList<MilkCheck.Execution.NodeOutcome>> RunAllAsync(IReadOnlyList<string> nodes, string command, TimeSpan? timeout, int fanout,
        Action<string, MilkCheck.Execution.NodeOutcome> completed, CancellationToken cancellationToken)
    {
        lock (Calls)
            Calls.Add((nodes, command, fanout));
        var outcomes = nodes.Select(n => n == "n2"
            ? new MilkCheck.Execution.NodeOutcome(NodeStatus.Failed, 1, "down", TimeSpan.Zero, null)
            : new MilkCheck.Execution.NodeOutcome(NodeStatus.Ok, 0, "up", TimeSpan.Zero, null)).ToArray();
        for (int i = 0; i < nodes.Count; i++)
            completed(nodes[i], outcomes[i]);
        return Task.FromResult<IReadOnlyList<MilkCheck.Execution.NodeOutcome>>(outcomes);
    }
}

/// <summary>A transport answering from a function.</summary>
internal sealed class DelegateTransport : MilkCheck.Execution.ITransport
{
    private readonly Func<string, string, MilkCheck.Execution.NodeOutcome> _answer;

    public DelegateTransport(Func<string, string, MilkCheck.Execution.NodeOutcome> answer) => _answer = answer;

    public Task<MilkCheck.Execution.NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken) =>
        Task.FromResult(_answer(node, command));
}
