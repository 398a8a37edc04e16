using System.Management.Automation;
using System.Management.Automation.Host;
using MilkCheck.Execution;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;

namespace MilkCheck;

/// <summary>
/// A cmdlet that runs a <see cref="MilkCheckRun"/>: the run goes on worker threads, its events come back through a
/// <see cref="PipelineQueue"/>, and this (pipeline) thread alone writes results, errors, warnings, verbose lines and
/// progress. Ctrl+C, a stopped pipeline and Stop-Job cancel one token; the run kills what runs and ends.
/// </summary>
public abstract class RunCmdletBase : MilkCheckCmdletBase
{
    /// <summary>Runs <paramref name="run"/> and writes each result as it becomes final, with its error or warning.</summary>
    /// <param name="stopError">-ErrorAction Stop: the first failure's error, for the caller to write once every
    /// result of the stopped run is out (writing it stops the pipeline).</param>
    /// <returns>Every result written, in order.</returns>
    private protected IReadOnlyList<ActionResult> ExecuteRun(MilkCheckRun run, out ErrorRecord? stopError)
    {
        stopError = null;
        // Stopping the pipeline cancels it; so does this method's end, which kills what still runs.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        using var queue = new PipelineQueue();
        run.AddObserver(queue);
        Task runTask = Task.Run(() => run.RunAsync(cancel.Token));
        runTask.ContinueWith(_ => queue.Complete(), TaskScheduler.Default);
        int total = run.EntityCount;
        var written = new List<ActionResult>();
        var running = new List<string>(); // service.action in start order: the progress's current operation
        string activity = $"MilkCheck {run.Action}";
        var progress = new ProgressRecord(1, activity, "starting") { PercentComplete = 0 };
        try
        {
            foreach (object item in queue.Drain(cancel.Token))
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
                progress = new ProgressRecord(1, activity, $"{written.Count} of {total} services done, {run.NodesInFlight} node command(s) in flight")
                {
                    CurrentOperation = running.Count == 0 ? null : "Running " + string.Join(", ", running),
                    PercentComplete = total == 0 ? 100 : Math.Min(100, written.Count * 100 / total),
                };
                WriteProgress(progress);
            }
            runTask.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl+C: the results already written stay written; the journal gets the rest.
        }
        catch (InvalidOperationException e) when (!cancel.IsCancellationRequested)
        {
            ThrowTerminatingError(ErrorRecords.InternalError(e));
        }
        finally
        {
            // Stopping (Ctrl+C, a stopped pipeline): kill what runs and wait until it is gone and its transports closed.
            cancel.Cancel();
            try
            {
                runTask.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }
            if (!Stopping)
                WriteProgress(new ProgressRecord(1, activity, progress.StatusDescription) { RecordType = ProgressRecordType.Completed });
        }
        return written;
    }

    private static string Count(int nodes) => nodes == 1 ? "1 node" : $"{nodes} nodes";

    /// <summary>-Verbose: what the run will do before it does it (entries, reached entities, actions, nodes).</summary>
    private protected void WritePlanVerbose(MilkCheckRun run, string entries)
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
        WriteVerbose($"Plan: '{run.Action}' from {entries}: {run.EntityCount} entities reached, {plan.Count} action(s) to run, {nodes} node command(s) on {distinct} distinct node(s).");
        foreach (PlannedAction action in plan)
            WriteVerbose($"Plan: {action.Service}.{action.Action} on {(action.Target.Length > 0 ? action.Target : "localhost")}.");
    }

    /// <summary>The -WhatIf line of one planned action.</summary>
    private protected static string Describe(PlannedAction action) =>
        $"Run '{action.Action}' of '{action.Service}' on {(action.Target.Length > 0 ? action.Target : "localhost")}: {action.Command}";

    /// <summary>Each command in flight holds file descriptors (a connection, or pipes): say so when the fanout may exceed the limit.</summary>
    protected void WarnAboutFileLimit(int fanout)
    {
        if (Transports.OpenFileLimit() is { } limit && fanout * 4L + 64 > limit)
            WriteWarning($"Fanout {fanout} may need about {fanout * 4 + 64} file descriptors but this process may open {limit} (ulimit -n): lower -Fanout or raise the limit.");
    }

    /// <summary>-ErrorAction Stop, given or from $ErrorActionPreference.</summary>
    protected bool ErrorActionIsStop()
    {
        object? value = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound) ? bound : GetVariableValue("ErrorActionPreference");
        return value is not null && LanguagePrimitives.TryConvertTo(value, out ActionPreference preference) && preference == ActionPreference.Stop;
    }

    /// <summary>-WhatIf, given or from $WhatIfPreference.</summary>
    protected bool IsWhatIf()
    {
        if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value))
            return value is SwitchParameter { IsPresent: true } || value is true;
        return GetVariableValue("WhatIfPreference") is { } preference && LanguagePrimitives.IsTrue(preference);
    }

    /// <summary>
    /// The one question of an action listed in confirm_actions (upstream's wording); a session that cannot ask is the
    /// terminating MilkCheck.ConfirmationUnavailable, never a silent yes.
    /// </summary>
    protected bool ConfirmConfiguredAction(string action)
    {
        try
        {
            return ShouldContinue($"Are you sure to run {action} action?", "MilkCheck (confirm_actions)");
        }
        catch (Exception e) when (e is PSInvalidOperationException or HostException or NotImplementedException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"'{action}' is listed in confirm_actions and this session cannot ask: add -Force to run it without the question.", e),
                ErrorIds.ConfirmationUnavailable, ErrorCategory.PermissionDenied, action));
            return false;
        }
    }
}
