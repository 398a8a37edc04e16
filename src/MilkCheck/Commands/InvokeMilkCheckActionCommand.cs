using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Host;
using MilkCheck.Configuration;
using MilkCheck.Execution;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using MilkCheck.Variables;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Runs an action (start, stop, status…) over the services of a MilkCheck configuration and
/// writes one ActionResult per reached service or group as soon as it is final.</para>
/// </summary>
/// <example><code>Invoke-MilkCheckAction status -Service lustre_servers</code></example>
/// <example><code>$r | Where-Object Status -ne Done | Invoke-MilkCheckAction start</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "MilkCheckAction", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ActionResult))]
public sealed class InvokeMilkCheckActionCommand : MilkCheckCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(ActionNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Action { get; set; } = string.Empty;

    /// <summary>Entry services: top-level names or dotted member names; all roots when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? Service { get; set; }

    /// <summary>The configuration (wildcards must match one item); binds from a result's Path, so a piped rerun needs none.</summary>
    [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string? Path { get; set; }

    /// <summary>The configuration directory or YAML file, taken as written (no wildcards); binds from PSPath, so Get-Item output pipes in.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Restricts every target to these nodes (upstream -n): node set expressions, united; piped FailedNodes are united too.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("FailedNodes")]
    [AllowEmptyString]
    [AllowEmptyCollection]
    [AllowNull]
    [ArgumentCompleter(typeof(NodeGroupCompleter))]
    public string[]? Node { get; set; }

    /// <summary>Removes these nodes from every target (upstream -x): node set expressions, united.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(NodeGroupCompleter))]
    public string[]? ExcludeNode { get; set; }

    /// <summary>Top-level services or groups that become Locked (upstream -X).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[]? ExcludeService { get; set; }

    /// <summary>Only top-level entities carrying one of these tags run (upstream -t; commas split).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? Tag { get; set; }

    /// <summary>Variables replacing file-level ones (upstream -D name=value).</summary>
    [Parameter]
    public Hashtable? Define { get; set; }

    /// <summary>Only the entries run, without their dependencies (upstream --nodeps).</summary>
    [Parameter]
    public SwitchParameter NoDependencies { get; set; }

    /// <summary>Replaces the default fanout (milkcheck.conf, else 64).</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int Fanout { get; set; }

    /// <summary>Writes upstream's SUMMARY block to the information stream after the last result.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Skips the confirm_actions question (upstream -y).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly List<string> _services = new();
    private readonly List<string> _nodes = new();
    private readonly CancellationTokenSource _cancel = new();

    protected override void ProcessRecord()
    {
        if (Service is not null && !RecordIsAPipedPathItem(nameof(Service)))
            _services.AddRange(Service.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (Node is not null)
            _nodes.AddRange(Node.Where(n => !string.IsNullOrWhiteSpace(n)));
    }

    protected override void StopProcessing() => _cancel.Cancel();

    protected override void EndProcessing()
    {
        try
        {
            Run();
        }
        finally
        {
            _cancel.Dispose();
        }
    }

    private void Run()
    {
        IReadOnlyDictionary<string, string> defines = ToDefines(Define);
        MilkCheckConfiguration configuration = LoadValidConfiguration(ConfigurationPath.From(Path, LiteralPath),
            new LoadOptions { Defines = defines, UndefinedRunVariableIsError = true });
        if (!ExpandServicePatterns(configuration))
            return;
        MilkCheckRun run;
        try
        {
            // A preview runs nothing: %(...) in commands and -Define values is shown as written.
            // The session's kept connections (connection_persist): a preview connects nowhere, so it makes none.
            ConnectionPool? connections = IsWhatIf() || configuration.Global.ConnectionPersist <= TimeSpan.Zero
                ? null : SessionConnections.For(System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
            run = MilkCheckRun.Create(configuration, BuildOptions(defines), IsWhatIf() ? new UnexpandedCommandSubstitution() : null,
                connections: connections);
        }
        catch (RunSetupException e)
        {
            ThrowTerminatingError(ErrorRecords.RunSetup(e));
            return;
        }
        foreach (var (_, message) in run.Warnings)
            WriteWarning(message);
        WritePlanVerbose(run);
        if (IsWhatIf())
        {
            foreach (PlannedAction action in run.Preview)
                ShouldProcess(Describe(action), null, null);
            return;
        }
        string summary = $"Run '{Action}' on {(_services.Count > 0 ? string.Join(", ", _services.Distinct()) : "every service")} ({run.Preview.Count} action(s))";
        if (!ShouldProcess(summary, $"{summary}?", "Invoke-MilkCheckAction"))
            return;
        if (configuration.Global.ConfirmActions.Contains(Action, StringComparer.Ordinal) && !Force && !AskConfirmation())
            return;
        WarnAboutFileLimit(run.DefaultFanout);
        Execute(run, configuration);
    }

    /// <summary>Runs on a worker and writes, from this thread only, each result as it becomes final.</summary>
    private void Execute(MilkCheckRun run, MilkCheckConfiguration configuration)
    {
        using var queue = new PipelineQueue();
        run.AddObserver(queue);
        Task runTask = Task.Run(() => run.RunAsync(_cancel.Token));
        runTask.ContinueWith(_ => queue.Complete(), TaskScheduler.Default);
        int total = run.EntityCount;
        var written = new List<ActionResult>();
        var running = new List<string>(); // service.action in start order: the progress's current operation
        ErrorRecord? stopError = null; // -ErrorAction Stop: written once every result of the stopped run is out
        var progress = new ProgressRecord(1, $"MilkCheck {Action}", "starting") { PercentComplete = 0 };
        try
        {
            foreach (object item in queue.Drain(_cancel.Token))
            {
                switch (item)
                {
                    case PipelineQueue.ActionStartedItem started:
                        running.Add($"{started.Service}.{started.Action}");
                        WriteVerbose($"{started.Service}.{started.Action}: started on {Count(started.Nodes)}.");
                        break;
                    case ActionResult result:
                        running.Remove($"{result.Service}.{result.Action}");
                        WriteVerbose($"{result.Service}.{result.Action}: {result.Status} after {result.Duration.TotalSeconds:0.00} s" +
                            (result.Nodes.Count > 0 ? $" on {Count(result.Nodes.Count)}" : string.Empty) +
                            (result.FailedNodes.Length > 0 ? $" ({result.FailedNodes} failed)." : "."));
                        written.Add(result);
                        WriteObject(result);
                        if (ErrorRecords.Outcome(result) is { } error)
                        {
                            if (!run.StopAtFirstFailure)
                                WriteError(error);
                            else
                                stopError ??= error;
                        }
                        else if (ErrorRecords.OutcomeWarning(result) is { } warning)
                            WriteWarning(warning);
                        break;
                    case PipelineQueue.WarningItem warning:
                        WriteWarning(warning.Message);
                        break;
                    case PipelineQueue.VerboseItem verbose:
                        WriteVerbose(verbose.Message);
                        break;
                }
                // A new record each time: a host may keep the records it was given (the PowerShell API's Progress stream does).
                progress = new ProgressRecord(1, $"MilkCheck {Action}", $"{written.Count} of {total} services done, {run.NodesInFlight} node command(s) in flight")
                {
                    CurrentOperation = running.Count == 0 ? null : "Running " + string.Join(", ", running),
                    PercentComplete = total == 0 ? 100 : Math.Min(100, written.Count * 100 / total),
                };
                WriteProgress(progress);
            }
            runTask.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Ctrl+C: the results already written stay written.
        }
        catch (InvalidOperationException e) when (!_cancel.IsCancellationRequested)
        {
            ThrowTerminatingError(ErrorRecords.InternalError(e));
        }
        finally
        {
            // Stopping (Ctrl+C, a stopped pipeline): kill what runs and wait until it is gone and its transports closed.
            _cancel.Cancel();
            try
            {
                runTask.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }
            if (!Stopping)
                WriteProgress(new ProgressRecord(1, $"MilkCheck {Action}", progress.StatusDescription) { RecordType = ProgressRecordType.Completed });
        }
        if (Summary || configuration.Global.Report != ReportMode.No)
        {
            var message = new HostInformationMessage { Message = RunSummary.FromResults(written).ToString(), NoNewLine = false };
            WriteInformation(message, new[] { "PSHOST", "MilkCheck.Summary" });
        }
        if (stopError is not null)
            WriteError(stopError);
    }

    /// <summary>
    /// Replaces wildcard -Service patterns with the names they match (case-insensitive, as Get-MilkCheckService);
    /// plain names go to the engine as written, so an unknown one stays MilkCheck.UnknownService. When names were
    /// given and every one was a pattern matching nothing, nothing runs (a warning says so): an empty selection
    /// never widens to every service.
    /// </summary>
    private bool ExpandServicePatterns(MilkCheckConfiguration configuration)
    {
        if (_services.Count == 0)
            return true;
        var expanded = new List<string>();
        foreach (string name in _services)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name))
            {
                expanded.Add(name);
                continue;
            }
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var matches = configuration.EntityNames.Where(pattern.IsMatch).ToList();
            WriteVerbose(matches.Count == 0 ? $"-Service '{name}' matches no service." : $"-Service '{name}' matches {string.Join(", ", matches)}.");
            expanded.AddRange(matches);
        }
        _services.Clear();
        _services.AddRange(expanded.Distinct(StringComparer.Ordinal));
        if (_services.Count > 0)
            return true;
        WriteWarning("No service matches the -Service patterns given: nothing runs.");
        return false;
    }

    private static string Count(int nodes) => nodes == 1 ? "1 node" : $"{nodes} nodes";

    /// <summary>-Verbose: what the run will do before it does it (entries, reached entities, actions, nodes).</summary>
    private void WritePlanVerbose(MilkCheckRun run)
    {
        IReadOnlyList<PlannedAction> plan = run.Preview;
        long nodes = 0;
        var sets = new List<NodeSet>();
        foreach (PlannedAction action in plan)
        {
            try
            {
                // Targets are resolved already (no @group left); a local action runs once, on localhost.
                NodeSet set = NodeSet.Parse(action.Target.Length > 0 ? action.Target : "localhost", GroupResolver.None);
                nodes += set.Count;
                sets.Add(set);
            }
            catch (NodeSetParseException)
            {
            }
        }
        long distinct = sets.Count == 0 ? 0 : NodeSet.UnionAll(sets).Count; // folded sets: cheap for thousands of nodes
        string entries = _services.Count > 0 ? string.Join(", ", _services) : "every root service";
        WriteVerbose($"Plan: '{Action}' from {entries}: {run.EntityCount} entities reached, {plan.Count} action(s) to run, {nodes} node command(s) on {distinct} distinct node(s).");
        foreach (PlannedAction action in plan)
            WriteVerbose($"Plan: {action.Service}.{action.Action} on {(action.Target.Length > 0 ? action.Target : "localhost")}.");
    }

    private RunOptions BuildOptions(IReadOnlyDictionary<string, string> defines)
    {
        NodeSet? nodes = null;
        if (_nodes.Count > 0)
            nodes = NodeSet.UnionAll(_nodes.Select(ParseOrThrow));
        string[] excludedExpressions = (ExcludeNode ?? Array.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
        NodeSet? excluded = excludedExpressions.Length == 0 ? null : NodeSet.UnionAll(excludedExpressions.Select(ParseOrThrow));
        return new RunOptions
        {
            Action = Action,
            Services = _services.Distinct(StringComparer.Ordinal).ToArray(),
            Nodes = nodes,
            ExcludedNodes = excluded,
            ExcludedServices = ExcludeService ?? Array.Empty<string>(),
            Tags = (Tag ?? Array.Empty<string>()).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
            Defines = defines,
            NoDependencies = NoDependencies,
            Fanout = MyInvocation.BoundParameters.ContainsKey(nameof(Fanout)) ? Fanout : null,
            StopAtFirstFailure = ErrorActionIsStop(),
        };
    }

    private NodeSet ParseOrThrow(string expression)
    {
        NodeSet? set = ParseNodeSet(expression, out ErrorRecord? error);
        if (error is not null)
            ThrowTerminatingError(error);
        return set!;
    }

    /// <summary>Each command in flight holds file descriptors (a connection, or pipes): say so when the fanout may exceed the limit.</summary>
    private void WarnAboutFileLimit(int fanout)
    {
        if (Transports.OpenFileLimit() is { } limit && fanout * 4L + 64 > limit)
            WriteWarning($"Fanout {fanout} may need about {fanout * 4 + 64} file descriptors but this process may open {limit} (ulimit -n): lower -Fanout or raise the limit.");
    }

    private bool ErrorActionIsStop()
    {
        object? value = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound) ? bound : GetVariableValue("ErrorActionPreference");
        return value is not null && LanguagePrimitives.TryConvertTo(value, out ActionPreference preference) && preference == ActionPreference.Stop;
    }

    private bool IsWhatIf()
    {
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value))
            return value is SwitchParameter { IsPresent: true } || value is true;
        return GetVariableValue("WhatIfPreference") is { } preference && LanguagePrimitives.IsTrue(preference);
    }

    private bool AskConfirmation()
    {
        try
        {
            return ShouldContinue($"Are you sure to run {Action} action?", "MilkCheck (confirm_actions)");
        }
        catch (Exception e) when (e is PSInvalidOperationException or HostException or NotImplementedException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"'{Action}' is listed in confirm_actions and this session cannot ask: add -Force to run it without the question.", e),
                "MilkCheck.ConfirmationUnavailable", ErrorCategory.PermissionDenied, Action));
            return false;
        }
    }

    private static string Describe(PlannedAction action) =>
        $"Run '{action.Action}' of '{action.Service}' on {(action.Target.Length > 0 ? action.Target : "localhost")}: {action.Command}";
}
