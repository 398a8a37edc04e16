using System.Globalization;
using MilkCheck.Configuration;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using MilkCheck.Variables;

namespace MilkCheck.Cli;

/// <summary>What the command reads and writes: the real console in Program, anything in tests.</summary>
internal sealed record CliConsole(TextWriter Output, TextWriter Error, TextReader Input, Terminal Terminal,
    Func<string, string?> Environment, Func<DateTime> Now);

/// <summary>
/// Upstream's <c>milkcheck</c> (spec §5) over the engine: reads the options, then draws the graph, runs an action or
/// checks the configuration, and returns upstream's exit code (0, 3, 6; 9 for user and configuration errors, 12 for
/// unexpected ones, 130 after Ctrl-C). With <c>--nagios</c> it prints the plugin text and returns 0, 1, 2 or 3.
/// </summary>
internal sealed class CliApplication
{
    /// <summary>The upstream release whose command line and output this command reproduces.</summary>
    public const string UpstreamVersion = "1.2.4";

    public const int Ok = 0;
    public const int UserError = 9;
    public const int UnexpectedError = 12;
    public const int Interrupted = 130;

    private readonly CliConsole _console;
    private readonly object _outputLock = new();
    private readonly Log _log;
    private bool _nagios;
    private Screen? _screen;

    public CliApplication(CliConsole console)
    {
        _console = console;
        _log = new Log(console.Error, console.Now, _outputLock);
    }

    /// <param name="program">The name the command was called by: <c>check_milkcheck</c> implies <c>--nagios</c>.</param>
    /// <param name="interrupt">Cancelled on SIGINT (Ctrl-C) or SIGTERM.</param>
    public async Task<int> RunAsync(string program, IReadOnlyList<string> args, CancellationToken interrupt)
    {
        _nagios = program == "check_milkcheck" || args.TakeWhile(a => a != "--").Contains("--nagios");
        CliOptions options;
        try
        {
            options = new OptionParser(ParseNodeSet).Parse(args);
        }
        catch (OptionException e)
        {
            if (_nagios)
                return Unknown($"Invalid options: {e.Message.TrimStart()}");
            // optparse's text ends the message with a newline: upstream's log shows an empty line after it.
            _log.Write(LogLevel.Critical, $"Invalid options: {e.Message}\n");
            Print(HelpText.For(program));
            return UserError;
        }
        if (options.Help)
        {
            Print(HelpText.For(program));
            return Ok;
        }
        if (options.Version)
        {
            Print($"{program} {UpstreamVersion}\n");
            return Ok;
        }
        _nagios |= options.Nagios;
        _log.Verbosity = options.Verbosity;
        try
        {
            return await ExecuteAsync(program, options, interrupt).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return ReportInterrupted(Array.Empty<ActionResult>(), options.Arguments.LastOrDefault());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (_nagios)
                return Unknown($"Unexpected Exception : {e.Message}");
            if (options.Verbosity >= 5)
                Print(e + "\n"); // upstream prints the traceback on stdout at -d
            else
                _log.Error($"Unexpected Exception : {e.Message}");
            return UnexpectedError;
        }
    }

    private async Task<int> ExecuteAsync(string program, CliOptions options, CancellationToken interrupt)
    {
        string globalFile = GlobalConfigurationLocator.ResolveGlobalConfigurationPath(
            new Dictionary<string, string?> { [GlobalConfigurationLocator.EnvironmentVariable] = _console.Environment(GlobalConfigurationLocator.EnvironmentVariable) });
        var (global, globalDiagnostics) = GlobalConfigurationLoader.Load(globalFile);
        var globalErrors = new List<ConfigDiagnostic>();
        foreach (ConfigDiagnostic diagnostic in globalDiagnostics)
        {
            if (diagnostic.ErrorId == ErrorIds.Config.GlobalFileNotFound)
                _log.Write(LogLevel.Warning, $"Configuration file {globalFile} not found");
            else if (diagnostic.Severity == DiagnosticSeverity.Error)
                globalErrors.Add(diagnostic);
            else
                _log.Write(LogLevel.Warning, diagnostic.ToString());
        }
        if (globalErrors.Count > 0)
            return ConfigurationErrors(globalErrors);
        string configDir = options.ConfigDir ?? global.ConfigDir;
        LogConfiguration(options, global, configDir);

        if (options.Graph)
            return Graph(options, global, configDir, interrupt);
        if (options.Arguments.Count > 0)
            return await RunActionAsync(options, global, configDir, interrupt).ConfigureAwait(false);
        if (configDir.Length == 0)
        {
            Print(HelpText.For(program));
            return Ok;
        }
        Screen().Line("No actions specified, checking configuration...");
        if (Load(configDir, global, new LoadOptions { Names = OptionNames.Command, Substitutions = Substitutions(), Cancellation = interrupt },
                out MilkCheckConfiguration? _) is { } failed)
            return failed;
        Screen().Line($"{configDir} seems good");
        return Ok;
    }

    private int Graph(CliOptions options, GlobalConfiguration global, string configDir, CancellationToken interrupt)
    {
        if (Load(configDir, global, new LoadOptions { Names = OptionNames.Command, Substitutions = Substitutions(), Cancellation = interrupt },
                out MilkCheckConfiguration? configuration) is { } failed)
            return failed;
        // Upstream crashes on an unknown name here (spec §6.3 item 37); say which name instead, as a run does.
        if (options.Arguments.FirstOrDefault(name => !configuration!.EntityNames.Contains(name)) is { } unknown)
        {
            _log.Error($"Undefined service [{unknown}]");
            return UserError;
        }
        string graph = configuration!.WriteGraph(GraphFormat.Dot, options.Arguments.Count > 0 ? options.Arguments : null,
            options.ExcludedServices);
        Screen().Line(graph);
        return Ok;
    }

    private async Task<int> RunActionAsync(CliOptions options, GlobalConfiguration global, string configDir, CancellationToken interrupt)
    {
        string action = options.Arguments[^1];
        var services = options.Arguments.Take(options.Arguments.Count - 1).ToArray();
        if (global.ConfirmActions.Contains(action, StringComparer.Ordinal) && !options.AssumeYes
            && await ConfirmAsync(action, interrupt).ConfigureAwait(false) is { } refused)
            return refused;

        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        var defineOrder = new List<(string Name, string Value)>();
        foreach (string define in options.Defines.SelectMany(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            int equals = define.IndexOf('=');
            defines[define[..equals]] = define[(equals + 1)..];
            defineOrder.Add((define[..equals], define[(equals + 1)..]));
        }
        ISubstitutionLog? substitutions = Substitutions();
        var loadOptions = new LoadOptions
        {
            Defines = defines, UndefinedRunVariableIsError = true, Names = OptionNames.Command, Substitutions = substitutions, Cancellation = interrupt,
        };
        if (Load(configDir, global, loadOptions, out MilkCheckConfiguration? configuration) is { } failed)
            return failed;
        LogUpdatedVariables(configuration!, defineOrder);

        MilkCheckRun run;
        try
        {
            run = MilkCheckRun.Create(configuration!, new RunOptions
            {
                Names = OptionNames.Command,
                Action = action,
                Services = services,
                Nodes = options.OnlyNodes,
                ExcludedNodes = options.ExcludedNodes,
                ExcludedServices = options.ExcludedServices,
                Tags = options.Tags,
                Defines = defines,
                NoDependencies = options.NoDependencies,
                DryRun = options.DryRun,
                Substitutions = substitutions,
            });
        }
        catch (RunSetupException e)
        {
            if (e.ErrorId == ErrorIds.UnknownService)
                return Fail($"Undefined service [{e.Target}]");
            return Fail(e.Message);
        }
        foreach (var (_, message) in run.Warnings)
            _log.Write(LogLevel.Warning, message);

        using var deadline = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt, deadline.Token);
        var collector = new ResultCollector();
        run.AddObserver(collector);
        var colours = new Colours(_console.Terminal.UseColours && !_nagios);
        Screen screen = Screen();
        bool interactive = !_nagios && _console.Terminal.IsInteractive;
        var running = new RunningActions(enabled: screen.ShowsRunning || interactive);
        if (!_nagios)
            run.AddObserver(new TextPrinter(screen, running, _log, options.Verbosity, _console.Terminal.Width, colours, run.Preview, stop.Token));
        if (options.Timeout is { } timeout)
            deadline.CancelAfter(timeout);
        // On an interactive terminal, each line typed (Enter) shows the actions in progress (spec §5.4.6).
        using InteractiveStatus? status = interactive
            ? InteractiveStatus.Start(_console.Input, () => screen.Line(running.Status(_console.Terminal.Width, colours)))
            : null;
        try
        {
            await run.RunAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The engine has killed what was running and reported it: say why the run stopped.
            if (interrupt.IsCancellationRequested)
                return ReportInterrupted(collector.Results, action);
            return ReportTimeout(collector.Results, options.Timeout!.Value, action);
        }

        IReadOnlyList<ActionResult> results = collector.Results;
        int exitCode = RunSummary.ExitCodeOf(results);
        if (_nagios)
        {
            Print(NagiosText.Format(results) + "\n");
            return NagiosText.PluginExitCode(exitCode);
        }
        ReportMode report = options.Report ?? global.Report;
        if (report != ReportMode.No)
            Print(ReportText.Write(results, report, colours) + "\n");
        return exitCode;
    }

    /// <summary>Upstream's question (spec §4.14), asked on stdout before the configuration is read.</summary>
    private async Task<int?> ConfirmAsync(string action, CancellationToken interrupt)
    {
        Print($"Are you sure to run {action} action? (y/N) ");
        // A terminal read cannot be given up: it waits on a thread of its own (this process's), and Ctrl-C or
        // SIGTERM during the question ends the command as they end a run, the read left behind.
        Task<string?> reading = Task.Factory.StartNew(() => _console.Input.ReadLine(), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        string? answer = await reading.WaitAsync(interrupt).ConfigureAwait(false); // interrupted: Keyboard Interrupt, 130
        if (answer is null)
        {
            // Upstream crashes with "EOF when reading a line" (exit 12); cron has no one to answer: say how to run it.
            if (!_nagios)
                Print("\n");
            return Fail($"Execution aborted: '{action}' needs a confirmation and standard input is closed (use -y)");
        }
        if (answer.Trim().ToLowerInvariant() is "y" or "yes")
            return null;
        return Fail("Execution aborted by user");
    }

    /// <summary>
    /// Loads the configuration at <paramref name="configDir"/> (relative to the working directory, as upstream);
    /// returns the exit code when it cannot be used, after saying why.
    /// </summary>
    private int? Load(string configDir, GlobalConfiguration global, LoadOptions loadOptions, out MilkCheckConfiguration? configuration)
    {
        configuration = null;
        string path = Path.GetFullPath(configDir.Length == 0 ? "." : configDir);
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            // A missing -c is an option error; a missing config_dir from milkcheck.conf is upstream's unexpected error.
            string message = $"Unexpected Exception : Invalid directory '{configDir}'";
            if (_nagios)
                return Unknown(message);
            _log.Error(message);
            return UnexpectedError;
        }
        configuration = MilkCheckConfiguration.Load(path, runCommands: true, global, Array.Empty<ConfigDiagnostic>(), loadOptions);
        foreach (ConfigDiagnostic warning in configuration.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
            _log.Write(LogLevel.Warning, warning.ToString());
        if (configuration.HasErrors)
            return ConfigurationErrors(configuration.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList());
        return null;
    }

    private int ConfigurationErrors(IReadOnlyList<ConfigDiagnostic> errors)
    {
        if (_nagios)
            return Unknown(string.Join("\n", errors.Select(e => e.ToString())));
        foreach (ConfigDiagnostic error in errors)
            _log.Error(error.ToString());
        return UserError;
    }

    private int Fail(string message)
    {
        if (_nagios)
            return Unknown(message);
        _log.Error(message);
        return UserError;
    }

    private int ReportInterrupted(IReadOnlyList<ActionResult> results, string? action)
    {
        if (_nagios)
        {
            Print(NagiosText.Format(results, "interrupted", action) + "\n");
            return NagiosText.PluginExitCode(-1);
        }
        _log.Error("Keyboard Interrupt");
        return Interrupted;
    }

    private int ReportTimeout(IReadOnlyList<ActionResult> results, TimeSpan timeout, string action)
    {
        string after = $"timed out after {TextPrinter.Seconds(timeout)} s";
        if (_nagios)
        {
            Print(NagiosText.Format(results, after, action) + "\n");
            return NagiosText.PluginExitCode(-1);
        }
        _log.Error($"Run {after}");
        return UnexpectedError;
    }

    private int Unknown(string message)
    {
        Print(NagiosText.Unknown(message) + "\n");
        return NagiosText.PluginExitCode(-1);
    }

    /// <summary>-vvv and more (DEBUG): the settings in force, one <c>key: value</c> per line, as upstream logs them.</summary>
    private void LogConfiguration(CliOptions options, GlobalConfiguration global, string configDir)
    {
        if (!_log.Shows(LogLevel.Debug))
            return;
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["assumeyes"] = options.AssumeYes ? "True" : "False",
            ["config_dir"] = configDir,
            ["confirm_actions"] = PythonList(global.ConfirmActions),
            ["dryrun"] = options.DryRun ? "True" : "False",
            ["fanout"] = global.Fanout.ToString(CultureInfo.InvariantCulture),
            ["nodeps"] = options.NoDependencies ? "True" : "False",
            ["report"] = (options.Report ?? global.Report).ToString().ToLowerInvariant(),
            ["reverse_actions"] = PythonList(global.ReverseActions),
            ["summary"] = "False",
            ["tags"] = options.Tags.Count == 0 ? "set()" : "{" + string.Join(", ", options.Tags.Select(t => $"'{t}'")) + "}",
            ["verbosity"] = options.Verbosity.ToString(CultureInfo.InvariantCulture),
        };
        if (options.OnlyNodes is not null)
            lines["only_nodes"] = options.OnlyNodes.ToString();
        if (options.ExcludedNodes is not null)
            lines["excluded_nodes"] = options.ExcludedNodes.ToString();
        if (options.ExcludedServices.Count > 0)
            lines["excluded_svc"] = PythonList(options.ExcludedServices);
        if (options.Defines.Count > 0)
            lines["defines"] = PythonList(options.Defines);
        if (options.Graph)
            lines["graph"] = "True";
        _log.Write(LogLevel.Debug, "Configuration" + string.Concat(lines.Select(l => $"\n{l.Key}: {l.Value}")));
    }

    /// <summary>-vv: upstream's INFO line for each -D that replaces a file-level variable or an earlier -D.</summary>
    private void LogUpdatedVariables(MilkCheckConfiguration configuration, IEnumerable<(string Name, string Value)> defines)
    {
        if (!_log.Shows(LogLevel.Info))
            return;
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, (value, _)) in configuration.Model.Root.Variables)
            known[name] = VariableResolver.Format(value);
        foreach (var (name, value) in defines)
        {
            if (known.TryGetValue(name, out string? was))
                _log.Write(LogLevel.Info, $"Variable '{name}' updating '{value}' (was '{was}')");
            known[name] = value;
        }
    }

    /// <summary>-vv and more: what substitutions did, as upstream logs them; null when the verbosity hides it.</summary>
    private ISubstitutionLog? Substitutions() => _log.Shows(LogLevel.Info) ? new SubstitutionLog(_log) : null;

    /// <summary>Upstream's INFO line for each value a substitution changed and DEBUG line for each <c>%(...)</c> (spec §5.4.8).</summary>
    private sealed class SubstitutionLog : ISubstitutionLog
    {
        private readonly Log _log;

        public SubstitutionLog(Log log) => _log = log;

        public void Replaced(string before, string after) =>
            _log.Write(LogLevel.Info, $"Variable content '{before}' replaced by '{after}'");

        public void CommandExited(string command, int exitCode, string output) =>
            _log.Write(LogLevel.Debug, $"External command exited with {exitCode}: '{output}'");
    }

    private static string PythonList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => $"'{v}'")) + "]";

    private static NodeSet ParseNodeSet(string expression)
    {
        // Group configuration is read only when the expression can name a group.
        GroupResolver groups = expression.AsSpan().IndexOfAny('@', '*', '?') < 0
            ? GroupResolver.None
            : GroupResolver.Load(GroupConfigurationLocations.FromEnvironment());
        return NodeSet.Parse(expression, groups);
    }

    /// <summary>The display of a run (padding and running-tasks line on a terminal); off a terminal, plain lines.</summary>
    private Screen Screen() => _screen ??= new(_console.Output, _console.Error, _outputLock, _console.Terminal.UseColours && !_nagios, _console.Terminal.Width);

    private void Print(string text)
    {
        lock (_outputLock)
        {
            _console.Output.Write(text);
            _console.Output.Flush();
        }
    }

    /// <summary>Keeps every final result in the order the engine reported them (worker threads).</summary>
    private sealed class ResultCollector : IRunObserver
    {
        private readonly List<ActionResult> _results = new();

        public IReadOnlyList<ActionResult> Results
        {
            get
            {
                lock (_results)
                    return _results.ToArray();
            }
        }

        public void ActionStarted(string service, string action, string target, int nodes)
        {
        }

        public void NodeCompleted(NodeResult result)
        {
        }

        public void ActionCompleted(ActionResult result)
        {
            lock (_results)
                _results.Add(result);
        }

        public void Warning(string errorId, string message)
        {
        }
    }
}
