using System.Collections.Concurrent;
using System.Diagnostics;
using MilkCheck.Execution;
using MilkCheck.NodeSets;

namespace MilkCheck.Scheduling;

/// <summary>How an entity ended, before it becomes an <see cref="ActionResult"/>.</summary>
internal sealed record Outcome(
    ActionStatus Status, string Action, ActionSpec? Spec, IReadOnlyList<NodeResult> Nodes, IReadOnlyList<ActionResult> Checks,
    NodeSet FailedForFiltering, NodeSet ReportedFailed, DateTimeOffset? Start, TimeSpan? Duration, int Attempts)
{
    public static Outcome Simple(ActionStatus status, string action, ActionSpec? spec = null) =>
        new(status, action, spec, Array.Empty<NodeResult>(), Array.Empty<ActionResult>(), NodeSet.Empty, NodeSet.Empty, null, null, 0);
}

/// <summary>
/// Runs one action of one service, outside the walk's lock: its action-level checks, the target minus the nodes
/// that failed before, delay, attempts and retry, the commands under the fanout, and upstream's evaluation. A
/// stopped run still ends the action: nodes whose command had not ended are <see cref="NodeStatus.Cancelled"/>.
/// </summary>
internal sealed class ActionRunner
{
    public const string CancelledReason = "The run was stopped before the command ended on this node.";

    private readonly RunPlan _plan;
    private readonly ITransport? _local;
    private readonly ITransport? _remote;
    private readonly IRunObserver _observer;
    private readonly FanoutLimiter _limiter;
    private readonly List<PlannedAction>? _planned;
    private readonly RunIdentity _identity;
    private readonly ConcurrentDictionary<TransportWarning, bool> _warned = new();

    /// <param name="planned">Plan only: nothing runs, each action that would run is added here, in order.</param>
    public ActionRunner(RunPlan plan, ITransport? local, ITransport? remote, IRunObserver observer, FanoutLimiter limiter,
        List<PlannedAction>? planned, RunIdentity identity)
    {
        _plan = plan;
        _local = local;
        _remote = remote;
        _observer = observer;
        _limiter = limiter;
        _planned = planned;
        _identity = identity;
    }

    private bool PlanOnly => _planned is not null;

    /// <param name="visiting">The actions of this service whose checks are being run (a checked action with checks of
    /// its own follows the same rule one level down; an action already on the way is not checked again).</param>
    public async Task<Outcome> RunAsync(RunNode node, ActionSpec spec, NodeSet failedBefore, CancellationToken token, HashSet<string>? visiting = null)
    {
        var watch = Stopwatch.StartNew();
        DateTimeOffset start = DateTimeOffset.Now;
        var checks = new List<ActionResult>();
        NodeSet checkFailed = NodeSet.Empty;
        if (spec.Checks.Count > 0)
        {
            visiting ??= new HashSet<string>(StringComparer.Ordinal);
            visiting.Add(spec.Name);
            foreach (string name in spec.Checks)
            {
                if (visiting.Contains(name) || _plan.FindAction(spec.Service, name) is not { } checkSpec)
                    continue;
                Outcome check = await RunAsync(node, checkSpec, failedBefore, token, visiting).ConfigureAwait(false);
                checks.Add(ToResult(node, check, string.Empty, DateTimeOffset.Now, TimeSpan.Zero));
                checkFailed = checkFailed.Union(check.ReportedFailed);
            }
            if (StatusRules.WorstUnderRequire(checks.Select(c => c.Status)) == Severity.Done && !PlanOnly)
            {
                // The check says it is already so: the action is Done without running (spec §4.7).
                return new Outcome(ActionStatus.Done, spec.Name, spec, Array.Empty<NodeResult>(), checks, checkFailed,
                    checkFailed, start, watch.Elapsed, 0);
            }
            // DependencyError: run it. Warning, Skipped, Missing: upstream stays stuck forever; here it runs (§6.4).
        }
        Outcome own = await RunOwnAsync(node, spec, failedBefore, token).ConfigureAwait(false);
        return own with
        {
            Checks = checks,
            ReportedFailed = own.ReportedFailed.Union(checkFailed),
            FailedForFiltering = own.FailedForFiltering.Union(checkFailed),
            Start = start,
            Duration = watch.Elapsed,
        };
    }

    /// <summary>
    /// The record of an outcome on an entity: its own result, or one of its action-level checks. The fallbacks
    /// stand for what the outcome does not carry (no action ran: the entity's target, its launch time).
    /// </summary>
    public ActionResult ToResult(RunNode node, Outcome outcome, string fallbackTarget, DateTimeOffset fallbackStart, TimeSpan fallbackDuration) => new(
        node.Entity.FullName, node.Entity.GroupName, node.Entity.Kind, outcome.Action, outcome.Status, node.IsEntry,
        outcome.Spec?.ConfiguredTarget ?? fallbackTarget, outcome.ReportedFailed.IsEmpty ? string.Empty : outcome.ReportedFailed.ToString(),
        outcome.Nodes, outcome.Checks, outcome.Spec?.Command ?? string.Empty, outcome.Start ?? fallbackStart,
        outcome.Duration ?? fallbackDuration, outcome.Attempts, node.Entity.Description)
    {
        RunId = _identity.RunId,
        Path = _identity.Path,
    };

    /// <summary>One action itself (its checks are the caller's): target filtering, delay, attempts and evaluation.</summary>
    private async Task<Outcome> RunOwnAsync(RunNode node, ActionSpec spec, NodeSet failedBefore, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        DateTimeOffset start = DateTimeOffset.Now;
        NodeSet? target = spec.Target;
        if (target is not null && !failedBefore.IsEmpty)
            target -= failedBefore;
        if (target is { IsEmpty: true })
            return Outcome.Simple(ActionStatus.Skipped, spec.Name, spec);
        if (_planned is not null)
        {
            _planned.Add(new PlannedAction(node.Entity.FullName, spec.Name, target?.ToString() ?? string.Empty, spec.Command, spec.Mode));
            return new Outcome(ActionStatus.Done, spec.Name, spec, Array.Empty<NodeResult>(), Array.Empty<ActionResult>(),
                NodeSet.Empty, NodeSet.Empty, start, TimeSpan.Zero, 1);
        }

        IReadOnlyList<NodeResult> nodes;
        int attempts = 0;
        while (true)
        {
            if (spec.Delay > TimeSpan.Zero)
            {
                _observer.ActionDelayed(node.Entity.FullName, spec.Name, spec.Delay, target?.ToString() ?? string.Empty, attempts + 1);
                await DelayAtLeastAsync(spec.Delay, token).ConfigureAwait(false);
            }
            attempts++;
            if (attempts == 1)
                _observer.ActionStarted(node.Entity.FullName, spec.Name, target?.ToString() ?? string.Empty, (int)Math.Min(int.MaxValue, target?.Count ?? 1));
            else
                _observer.ActionRetried(node.Entity.FullName, spec.Name, target?.ToString() ?? string.Empty, attempts);
            nodes = await RunNodesAsync(node, spec, target, token).ConfigureAwait(false);
            if (attempts <= spec.Retry && !token.IsCancellationRequested && nodes.Any(n => n.Status != NodeStatus.Ok))
                continue;
            break;
        }
        ActionStatus status = ActionEvaluation.Evaluate(nodes.Select(n => n.Status), spec.Errors, spec.Warnings);
        NodeSet failed = spec.Mode switch
        {
            ExecutionMode.Local => NodeSet.Empty,
            ExecutionMode.Delegate => nodes.Any(n => n.Status != NodeStatus.Ok) ? NodeSet.Parse("localhost") : NodeSet.Empty,
            _ => NodeSet.FromList(nodes.Where(n => n.Status != NodeStatus.Ok).Select(n => n.Node)),
        };
        return new Outcome(status, spec.Name, spec, nodes, Array.Empty<ActionResult>(), failed, failed, start, watch.Elapsed, attempts);
    }

    /// <summary>
    /// Waits the whole delay as a stopwatch measures it: the timer behind Task.Delay counts in whole milliseconds
    /// and may end a fraction of one early.
    /// </summary>
    private static async Task DelayAtLeastAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        for (TimeSpan left = delay; left > TimeSpan.Zero; left = delay - watch.Elapsed)
            await Task.Delay(left + TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<NodeResult>> RunNodesAsync(RunNode node, ActionSpec spec, NodeSet? target, CancellationToken token)
    {
        string command = _plan.DryRun ? ":" : EmbeddedScript.ToShellCommand(spec.Command);
        string service = node.Entity.FullName;
        ITransport local = _local ?? throw new InvalidOperationException("A run that executes needs its transports.");
        switch (spec.Mode)
        {
            case ExecutionMode.Local:
            case ExecutionMode.Delegate:
                return await RunEachAsync(local, new[] { ("localhost", command) }, spec, service, token).ConfigureAwait(false);
            case ExecutionMode.Exec when ExecPlaceholders.UsesAllHosts(command):
            {
                // %hosts: one process stands for every node.
                string all = target!.ToString();
                NodeResult one = (await RunEachAsync(local, new[] { (all, ExecPlaceholders.Substitute(command, all, 0, all)) }, spec, service, token)
                    .ConfigureAwait(false))[0];
                return target.Select(n => one with { Node = n }).ToArray();
            }
            case ExecutionMode.Exec:
            {
                string all = target!.ToString();
                return await RunEachAsync(local, target.Select((name, rank) => (name, ExecPlaceholders.Substitute(command, name, rank, all))),
                    spec, service, token).ConfigureAwait(false);
            }
            case ExecutionMode.Remote:
            {
                ITransport remote = _remote ?? throw new InvalidOperationException("A run that executes needs its transports.");
                if (remote is INodeSetTransport whole)
                    return await RunWholeAsync(whole, target!, command, spec, service, token).ConfigureAwait(false);
                return await RunEachAsync(remote, target!.Select(name => (name, command)), spec, service, token).ConfigureAwait(false);
            }
            default:
                throw new InvalidOperationException($"Unknown execution mode {spec.Mode}.");
        }
    }

    /// <summary>
    /// Starts each node's command as the fanout admits it: work is created node by node, never a waiting task per
    /// node up front (100,000 nodes cost what the fanout runs, not 100,000 waiters). Stopped, the nodes not started
    /// are Cancelled at once.
    /// </summary>
    private async Task<IReadOnlyList<NodeResult>> RunEachAsync(ITransport transport, IEnumerable<(string Node, string Command)> work,
        ActionSpec spec, string service, CancellationToken token)
    {
        var running = new List<Task<NodeResult>>();
        foreach (var (name, command) in work)
        {
            IDisposable slot;
            try
            {
                slot = await _limiter.AcquireAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                running.Add(Task.FromResult(Report(new NodeResult(name, service, spec.Name, NodeStatus.Cancelled, null, string.Empty, TimeSpan.Zero, CancelledReason))));
                continue;
            }
            running.Add(RunOneAsync(transport, name, command, spec, service, slot, token));
        }
        return await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>The whole node set in one call to a transport that serves it itself (a gateway), under the action's fanout.</summary>
    private async Task<IReadOnlyList<NodeResult>> RunWholeAsync(INodeSetTransport transport, NodeSet target, string command,
        ActionSpec spec, string service, CancellationToken token)
    {
        string[] nodes = target.ToArray();
        IReadOnlyList<NodeOutcome> outcomes;
        try
        {
            outcomes = await transport.RunAllAsync(nodes, command, spec.Timeout, spec.Fanout ?? _plan.DefaultFanout,
                (node, outcome) => _observer.NodeCompleted(ToResult(node, service, spec, outcome)), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return nodes.Select(node => new NodeResult(node, service, spec.Name, NodeStatus.Cancelled, null, string.Empty, TimeSpan.Zero, CancelledReason)).ToArray();
        }
        if (outcomes.Count != nodes.Length)
            throw new InvalidOperationException($"The transport answered for {outcomes.Count} of {nodes.Length} nodes of {service}.{spec.Name}.");
        return nodes.Select((node, i) => ToResult(node, service, spec, outcomes[i])).ToArray();
    }

    private static NodeResult ToResult(string node, string service, ActionSpec spec, NodeOutcome outcome) =>
        new(node, service, spec.Name, outcome.Status, outcome.ExitCode, outcome.Output, outcome.Duration, outcome.Reason);

    /// <summary>One node's command in the fanout slot it holds, released when the command is over.</summary>
    private async Task<NodeResult> RunOneAsync(ITransport transport, string name, string command, ActionSpec spec, string service,
        IDisposable slot, CancellationToken token)
    {
        NodeOutcome outcome;
        var watch = Stopwatch.StartNew();
        using (slot)
        {
            try
            {
                outcome = await transport.RunAsync(name, command, spec.Timeout, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                outcome = new NodeOutcome(NodeStatus.Cancelled, null, string.Empty, watch.Elapsed, CancelledReason);
            }
            catch (Exception e)
            {
                // A transport's own failure on this node (a socket, a process that cannot start): the node failed, with why.
                outcome = new NodeOutcome(NodeStatus.Unreachable, null, string.Empty, watch.Elapsed, e.Message);
            }
        }
        foreach (TransportWarning warning in outcome.Warnings)
            if (_warned.TryAdd(warning, true))
                _observer.Warning(warning.ErrorId, warning.Message); // once per run, however many commands reach the node
        return Report(ToResult(name, service, spec, outcome));
    }

    private NodeResult Report(NodeResult result)
    {
        _observer.NodeCompleted(result);
        return result;
    }
}

/// <summary>What every result of a run carries to join it to its run: the run id and the configuration path.</summary>
internal sealed record RunIdentity(string RunId, string Path)
{
    public static readonly RunIdentity None = new(string.Empty, string.Empty);
}
