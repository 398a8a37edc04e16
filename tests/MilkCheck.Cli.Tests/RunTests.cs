using MilkCheck.TestSupport;
using Xunit;

namespace MilkCheck.Cli.Tests;

/// <summary>A run of an action: upstream's lines at each verbosity and its exit codes (spec §4.15, §5.3, §5.4).</summary>
public sealed class RunTests : IDisposable
{
    private readonly CommandRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Line(string label, string tag) => label.PadRight(67) + tag.PadLeft(13) + "\n";

    [Fact]
    public void SuccessfulRun_PrintsOneStatusLinePerService_AndExitsZero()
    {
        _cli.WriteService("""
            services:
              db:
                desc: Database
                actions: { start: { cmd: "echo db up" } }
              web:
                require: [ db ]
                actions: { start: { cmd: "true" } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "start");
        Assert.Equal(Line("db - Database", "[    OK   ]") + Line("web", "[    OK   ]"), r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void TopLevelWarning_ExitsThree()
    {
        _cli.WriteService("services: { svc: { actions: { status: { cmd: 'exit 1', errors: 1 } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "status");
        Assert.Equal(Line("svc", "[ WARNING ]"), r.Stdout);
        Assert.Equal(3, r.ExitCode);
    }

    [Fact]
    public void FailedEntry_PrintsTheErrorsOnlyBlockBeforeItsStatusLine_DependentsAreDepError_AndExitsSix()
    {
        _cli.WriteService("""
            services:
              nodes:
                target: "n[1-3]"
                mode: exec
                actions: { start: { cmd: "if [ %%h = n2 ]; then echo broken; exit 1; fi; echo fine" } }
              app:
                require: [ nodes ]
                actions: { start: { cmd: "true" } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "start");
        Assert.Equal("start nodes ran in X.XX s\n > n2: broken\n > n2 exited with 1\n" + Line("nodes", "[  ERROR  ]") + Line("app", "[DEP_ERROR]"), r.Stdout);
        Assert.Equal(6, r.ExitCode);
    }

    [Fact]
    public void Verbose_PrintsTheCommandWhenAnActionStarts_AndTheFullBlockOfAFailure()
    {
        _cli.WriteService("services: { svc: { target: 'n[1-2]', mode: exec, actions: { start: { cmd: 'test %%h = n1' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-v", "start");
        Assert.Equal("start svc on n[1-2]\n > test %h = n1\nstart svc ran in X.XX s\n > n1 exited with 0\n > n2 exited with 1\n" + Line("svc", "[  ERROR  ]"), r.Stdout);
        Assert.Equal("[00:00:00] WARNING  - Configuration file " + _cli.GlobalConfigurationPath + " not found\n", r.Stderr);
    }

    [Fact]
    public void VeryVerbose_PrintsTheBlockOfSuccessfulActions_AndSkippedServices()
    {
        _cli.WriteService("""
            services:
              a: { actions: { start: { cmd: "echo hello" } } }
              b: { target: "n1", mode: exec, actions: { start: { cmd: "true" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vv", "-x", "n1", "start");
        Assert.Contains("start a ran in X.XX s\n > localhost: hello\n > localhost exited with 0\n" + Line("a", "[    OK   ]"), r.Stdout);
        Assert.Contains(Line("b", "[ SKIPPED ]"), r.Stdout);
    }

    [Fact]
    public void VeryVerbose_PrintsTheDelayLineBeforeEachAttempt_AndVerboseTheCommandOfEachRetry()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'false', delay: 0.1, retry: 1 } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vv", "start");
        Assert.StartsWith("start svc will fire in 0.1 s\nstart svc on localhost\n > false\nstart svc will fire in 0.1 s\nstart svc on localhost\n > false\n", r.Stdout);
        CommandOutput verbose = _cli.Run("-c", _cli.ConfigDir, "-v", "start");
        Assert.DoesNotContain("will fire in", verbose.Stdout);
        Assert.StartsWith("start svc on localhost\n > false\nstart svc on localhost\n > false\n", verbose.Stdout);
    }

    [Fact]
    public void Verbose_CommandBlockShowsTheTargetWithoutTheNodesThatFailedInADependency()
    {
        _cli.WriteService("""
            services:
              base: { target: "n[1-3]", mode: exec, errors: 1, actions: { start: { cmd: "test %%h != n2" } } }
              app: { require: [ base ], target: "n[1-3]", mode: exec, actions: { start: { cmd: "true" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-v", "start");
        Assert.Contains("start base on n[1-3]\n", r.Stdout);
        Assert.Contains("start app on n[1,3]\n > true\n", r.Stdout);
    }

    [Fact]
    public void AVariableNothingDefines_SaysToPassItWithDashD_AsUpstreamsOptionIsNamed()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'echo %LOG' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "start");
        Assert.Contains("Undefined variable 'LOG'", r.Stderr);
        Assert.Contains("pass it with -D.", r.Stderr);
        Assert.DoesNotContain("-Define", r.Stderr);
        Assert.Equal(9, r.ExitCode);
        Assert.Equal(0, _cli.Run("-c", _cli.ConfigDir, "-D", "LOG=/tmp/x", "start").ExitCode);
    }

    [Fact]
    public void Quiet_KeepsStatusLines_WithoutTheFailureBlock()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'echo no; exit 2' } } } }");
        CommandOutput r = _cli.Run("-q", "-c", _cli.ConfigDir, "start");
        Assert.Equal(Line("svc", "[  ERROR  ]"), r.Stdout);
        Assert.Equal(6, r.ExitCode);
    }

    [Fact]
    public void Debug_LogsTheSettingsInForce()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-d", "-c", _cli.ConfigDir, "start");
        Assert.Contains("[00:00:00] DEBUG    - Configuration\nassumeyes: False\nconfig_dir: " + _cli.ConfigDir + "\n", r.Stderr);
        Assert.Contains("\nverbosity: 5\n", r.Stderr);
    }

    [Fact]
    public void Summary_PrintsUpstreamsReportAfterTheStatusLines()
    {
        _cli.WriteService("""
            services:
              ok: { actions: { start: { cmd: "true" } } }
              bad: { desc: Broken, actions: { start: { cmd: "false" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-s", "start");
        Assert.EndsWith("\n SUMMARY - 2 actions (1 failed)\n + bad.start - Broken\n", r.Stdout);
    }

    [Fact]
    public void FullReport_AddsTargetCommandAndTheNodesThatSucceeded()
    {
        _cli.WriteService("services: { svc: { target: 'n[1-3]', mode: exec, actions: { start: { cmd: 'test %%h != n3' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "--report=full", "start");
        Assert.EndsWith("\n SUMMARY - 1 action (1 failed)\n + svc.start\n    Target: n3\n    Command: test %h != n3\n + Success on all services\n    n[1-2]\n", r.Stdout);
    }

    [Fact]
    public void OnlyNodes_RestrictsTheTarget()
    {
        _cli.WriteService("services: { svc: { target: 'n[1-4]', mode: exec, actions: { start: { cmd: 'echo %%h' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vv", "-n", "n[2-3]", "start");
        Assert.Contains("start svc on n[2-3]\n", r.Stdout);
        Assert.Contains(" > n[2-3] exited with 0\n", r.Stdout);
    }

    [Fact]
    public void ExcludedService_IsLockedAndNotPrinted()
    {
        _cli.WriteService("""
            services:
              a: { actions: { start: { cmd: "true" } } }
              b: { actions: { start: { cmd: "false" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-X", "b", "start");
        Assert.Equal(Line("a", "[    OK   ]"), r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Tags_RunOnlyTheTaggedServices()
    {
        _cli.WriteService("""
            services:
              a: { tags: [ storage ], actions: { start: { cmd: "true" } } }
              b: { tags: [ compute ], actions: { start: { cmd: "true" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-t", "storage", "start");
        Assert.Equal(Line("a", "[    OK   ]"), r.Stdout);
    }

    [Fact]
    public void Define_GivesAVariableToTheCommand()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'echo %GREETING' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-vv", "-D", "GREETING=hello", "start");
        Assert.Contains(" > echo hello\n", r.Stdout);
        Assert.Contains(" > localhost: hello\n", r.Stdout);
    }

    [Fact]
    public void NoDeps_RunsTheNamedServiceAlone_AndOptionsMayFollowArguments()
    {
        _cli.WriteService("""
            services:
              db: { actions: { start: { cmd: "false" } } }
              web: { require: [ db ], actions: { start: { cmd: "true" } } }
            """);
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "web", "start", "--nodeps");
        Assert.Equal(Line("web", "[    OK   ]"), r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void DryRun_RunsNothing_AndShowsTheRealCommand()
    {
        string marker = Path.Combine(_cli.Directory, "ran");
        _cli.WriteService($"services: {{ svc: {{ actions: {{ start: {{ cmd: 'touch {marker}; exit 1' }} }} }} }}");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "--dry-run", "-v", "start");
        Assert.Equal($"start svc on localhost\n > touch {marker}; exit 1\n" + Line("svc", "[    OK   ]"), r.Stdout);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void UnknownService_IsAConfigurationError_ExitNine()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "nope", "start");
        Assert.Equal("", r.Stdout);
        Assert.Equal("[00:00:00] ERROR    - Undefined service [nope]\n", r.Stderr);
        Assert.Equal(9, r.ExitCode);
    }

    [Fact]
    public void MissingConfigDirFromMilkCheckConf_IsUpstreamsUnexpectedError_ExitTwelve()
    {
        _cli.WriteGlobal("config_dir: /nonexistent/milkcheck");
        CommandOutput r = _cli.Run("status");
        Assert.Equal("[00:00:00] ERROR    - Unexpected Exception : Invalid directory '/nonexistent/milkcheck'\n", r.Stderr);
        Assert.Equal(12, r.ExitCode);
    }

    [Fact]
    public void ConfigDirFromMilkCheckConf_IsUsedFromAnyDirectory()
    {
        _cli.WriteGlobal($"config_dir: {_cli.ConfigDir}");
        _cli.WriteService("services: { svc: { actions: { status: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run(new[] { "status" }, input: null, workingDirectory: "/");
        Assert.Equal(Line("svc", "[    OK   ]"), r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void Columns_SetsTheWidthWithoutATerminal()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run(new[] { "-c", _cli.ConfigDir, "start" }, input: null,
            environment: new Dictionary<string, string> { ["COLUMNS"] = "100" });
        Assert.Equal("svc".PadRight(87) + "  [    OK   ]\n", r.Stdout);
    }

    [Fact]
    public void ConfiguredConfirmation_AnsweredYes_Runs()
    {
        _cli.WriteGlobal("confirm_actions: [ stop ]");
        _cli.WriteService("services: { svc: { actions: { stop: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run(new[] { "-c", _cli.ConfigDir, "stop" }, input: " Yes \n");
        Assert.Equal("Are you sure to run stop action? (y/N) " + Line("svc", "[    OK   ]"), r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void ConfiguredConfirmation_AnsweredNo_AbortsWithNine()
    {
        _cli.WriteGlobal("confirm_actions: [ stop ]");
        _cli.WriteService("services: { svc: { actions: { stop: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run(new[] { "-c", _cli.ConfigDir, "stop" }, input: "n\n");
        Assert.Equal("Are you sure to run stop action? (y/N) ", r.Stdout);
        Assert.Equal("[00:00:00] ERROR    - Execution aborted by user\n", r.Stderr);
        Assert.Equal(9, r.ExitCode);
    }

    [Fact]
    public void ConfiguredConfirmation_WithStdinClosed_AbortsWithNineAndSaysToUseAssumeYes()
    {
        _cli.WriteGlobal("confirm_actions: [ stop ]");
        _cli.WriteService("services: { svc: { actions: { stop: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "stop");
        Assert.Contains("(use -y)", r.Stderr);
        Assert.Equal(9, r.ExitCode);
    }

    [Fact]
    public void ManyServicesRunningTogether_EachBlockStaysWhole_AndIsFollowedByItsOwnStatusLine()
    {
        _cli.WriteService("services:\n" + string.Concat(Enumerable.Range(1, 40).Select(i => $"  s{i}: {{ actions: {{ start: {{ cmd: 'echo out-s{i}; exit 1' }} }} }}\n")));
        CommandOutput r = _cli.Run("-c", _cli.ConfigDir, "-v", "start");
        Assert.Equal(6, r.ExitCode);
        // Command blocks (2 lines) and result blocks with their status line (4 lines) come in any order, each whole.
        string[] lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(40 * 6, lines.Length);
        for (int i = 0; i < lines.Length;)
        {
            string name = lines[i].Split(' ')[1];
            if (lines[i].Contains(" ran in ", StringComparison.Ordinal))
            {
                Assert.Equal(($"start {name} ran in X.XX s", $" > localhost: out-{name}", " > localhost exited with 1", Line(name, "[  ERROR  ]").TrimEnd('\n')),
                    (lines[i], lines[i + 1], lines[i + 2], lines[i + 3]));
                i += 4;
            }
            else
            {
                Assert.Equal(($"start {name} on localhost", $" > echo out-{name}; exit 1"), (lines[i], lines[i + 1]));
                i += 2;
            }
        }
    }

    [Fact]
    public void StartedWithItsStandardDescriptorsClosed_AsCronMayDo_ItRunsAndAsksNothing()
    {
        _cli.WriteGlobal("confirm_actions: [ stop ]");
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'true' }, stop: { cmd: 'true' } } } }");
        string errors = Path.Combine(_cli.Directory, "errors");
        // The runtime reuses a closed descriptor's number for a pipe of its own: the command must not read or write it.
        Assert.Equal(0, RunWithClosed("<&- >&- 2>&-", "start"));
        Assert.Equal(9, RunWithClosed($"<&- >&- 2>{errors}", "stop"));
        Assert.Contains("standard input is closed (use -y)", File.ReadAllText(errors));

        int RunWithClosed(string redirections, string action)
        {
            var info = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = _cli.Directory };
            foreach (string arg in new[] { "-c", $"exec \"$0\" \"$@\" {redirections}", CommandRunner.CommandPath, "-c", _cli.ConfigDir, action })
                info.ArgumentList.Add(arg);
            info.Environment["MILKCHECK_CONF"] = _cli.GlobalConfigurationPath;
            using var process = System.Diagnostics.Process.Start(info)!;
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"'{action}' with {redirections} did not end within 60 s.");
            }
            return process.ExitCode;
        }
    }

    [Fact]
    public void AssumeYes_SkipsTheConfirmation()
    {
        _cli.WriteGlobal("confirm_actions: [ stop ]");
        _cli.WriteService("services: { svc: { actions: { stop: { cmd: 'true' } } } }");
        CommandOutput r = _cli.Run("-y", "-c", _cli.ConfigDir, "stop");
        Assert.Equal(Line("svc", "[    OK   ]"), r.Stdout);
    }

    [Fact]
    public async Task CtrlC_KillsTheRunningCommand_LogsKeyboardInterrupt_AndExits130()
    {
        _cli.WriteService("services: { svc: { actions: { start: { cmd: 'sleep 60' } } } }");
        using var process = _cli.Start(new[] { "-c", _cli.ConfigDir, "-v", "start" });
        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // The command block is printed when the action starts: then the interrupt reaches a running command.
        Assert.Equal("start svc on localhost", await process.StandardOutput.ReadLineAsync());
        using (var kill = System.Diagnostics.Process.Start("kill", new[] { "-INT", process.Id.ToString() }))
            await kill.WaitForExitAsync();
        string rest = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(130, process.ExitCode);
        Assert.EndsWith("ERROR    - Keyboard Interrupt\n", await stderr);
        Assert.StartsWith(" > sleep 60\n", rest);
    }

    [Fact]
    public async Task SigtermWhileACommandOfTheConfigurationRuns_KillsIt_AndExits130()
    {
        string marker = $"87{Random.Shared.Next(100000, 999999)}.5";
        _cli.WriteService($"services: {{ svc: {{ target: '%(sleep {marker}; echo n1)', actions: {{ start: {{ cmd: 'true' }} }} }} }}");
        using var process = _cli.Start(new[] { "-c", _cli.ConfigDir, "start" });
        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(SpinWait.SpinUntil(() => MarkedProcesses.With(marker).Any() || process.HasExited, TimeSpan.FromSeconds(30)), "the %(...) never started");
        using (var kill = System.Diagnostics.Process.Start("kill", new[] { "-TERM", process.Id.ToString() }))
            await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(130, process.ExitCode);
        Assert.EndsWith("ERROR    - Keyboard Interrupt\n", await stderr);
        Assert.True(SpinWait.SpinUntil(() => !MarkedProcesses.With(marker).Any(), TimeSpan.FromSeconds(30)), "the %(...) was left running");
    }
}
