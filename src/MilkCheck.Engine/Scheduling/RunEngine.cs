using System.Diagnostics;
using MilkCheck.Execution;
using MilkCheck.Model;
using MilkCheck.NodeSets;

namespace MilkCheck.Scheduling;

/// <summary>An action the run would execute, in run order (what <c>-WhatIf</c> shows).</summary>
internal sealed record PlannedAction(string Service, string Action, string Target, string Command, ExecutionMode Mode);

/// <summary>
/// One run of an action over a <see cref="RunPlan"/>: upstream's prepare/launch/finish algorithm (spec §4.5, §4.8)
/// driven by events. An entity starts the moment its last predecessor is final; nothing polls and no thread waits
/// for a process. All state changes happen under one lock; commands run outside it. One engine per run.
/// </summary>
internal sealed class RunEngine
{
    private readonly RunPlan _plan;
    private readonly ITransport _local;
    private readonly ITransport _remote;
    private readonly IRunObserver _observer;
    private readonly bool _planOnly;
    private readonly FanoutLimiter _limiter;
    private readonly object _gate = new();
    private readonly Dictionary<RunNode, EntityState> _states = new(ReferenceEqualityComparer.Instance);
    private readonly List<ActionResult> _results = new();
    private readonly List<PlannedAction> _planned = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _stopAtFirstFailure;
    private readonly CancellationTokenSource _stop = new();
    private CancellationToken _token;
    private readonly Queue<(RunNode Node, Outcome Outcome)> _pending = new();
    private int _running;
    private bool _started;

    /// <param name="planOnly">Nothing is executed: every action is Done at once and recorded in <see cref="Planned"/>.</param>
    /// <param name="stopAtFirstFailure">-ErrorAction Stop: the first Error/Timeout/DependencyError result ends the
    /// run as a cancellation does (in-flight commands killed, nothing new started), without an exception.</param>
    public RunEngine(RunPlan plan, ITransport local, ITransport remote, IRunObserver? observer = null, bool planOnly = false,
        bool stopAtFirstFailure = false)
    {
        _stopAtFirstFailure = stopAtFirstFailure;
        _plan = plan;
        _local = local;
        _remote = remote;
        _observer = observer ?? new NullRunObserver();
        _planOnly = planOnly;
        _limiter = new FanoutLimiter(plan.DefaultFanout);
        foreach (RunNode node in plan.Nodes.Values)
            _states[node] = new EntityState(node.Locked);
    }

    /// <summary>Commands in flight now (for progress).</summary>
    public int NodesInFlight => _limiter.InFlight;

    /// <summary>The actions a plan-only run went through, in order.</summary>
    public IReadOnlyList<PlannedAction> Planned => _planned;

    /// <summary>
    /// Runs to the end and returns every result in the order written. Cancelled: commands in flight are killed,
    /// nothing new starts, results already reported stay reported, and OperationCanceledException is thrown.
    /// </summary>
    public async Task<IReadOnlyList<ActionResult>> RunAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
            throw new InvalidOperationException("A run engine runs once; build a new one.");
        _started = true;
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        _token = linked.Token;
        foreach (var (errorId, message) in _plan.Warnings)
            _observer.Warning(errorId, message);
        lock (_gate)
        {
            foreach (RunNode entry in _plan.Entries)
                Prepare(entry, _plan.Action);
            Drain();
            CheckFinished();
        }
        using (_token.Register(() => { lock (_gate) CheckFinished(); }))
            await _finished.Task.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
            return _results.ToArray();
    }

    // ---- the algorithm (always under _gate) ---------------------------------------------------------

    private void Prepare(RunNode node, string? action)
    {
        EntityState state = _states[node];
        if (action is not null)
        {
            state.Requested = action;
            state.Activated = true;
        }
        if (state.Phase != Phase.NoStatus)
        {
            EmitLockedIfNeeded(node);
            return;
        }
        foreach (var (pred, _) in node.Predecessors)
            EmitLockedIfNeeded(pred);
        if (node.Predecessors.Any(p => _states[p.Node].Phase == Phase.NoStatus))
        {
            foreach (var (pred, kind) in node.Predecessors)
            {
                EntityState predState = _states[pred];
                if (predState.Phase != Phase.NoStatus)
                    continue;
                string wanted = kind == DependencyKind.Check ? "status" : state.Requested!;
                // Pulled already with the same action: it will prepare itself when its own predecessors finish.
                if (predState.Activated && predState.Pulled && predState.Requested == wanted)
                    continue;
                predState.Pulled = true;
                Prepare(pred, wanted);
            }
            return;
        }
        Severity dependencies = Aggregate(node.Predecessors);
        if (dependencies != Severity.Waiting)
            Launch(node, state.Requested!, dependencies);
    }

    private void Launch(RunNode node, string action, Severity dependencies)
    {
        if (_token.IsCancellationRequested)
            return;
        EntityState state = _states[node];
        state.Start = DateTimeOffset.Now;
        state.Watch = Stopwatch.StartNew();
        if (node.Entity is GroupEntity)
        {
            LaunchGroup(node, action, dependencies);
            return;
        }
        ActionSpec? spec = _plan.FindAction((ServiceEntity)node.Entity, action);
        if (spec is null)
            Decide(node, Outcome.Simple(ActionStatus.Missing, action));
        else if (spec.IsEmptyTarget)
            Decide(node, Outcome.Simple(ActionStatus.Skipped, action, spec));
        else if (dependencies == Severity.DependencyError)
            Decide(node, Outcome.Simple(ActionStatus.DependencyError, action, spec));
        else if (_planOnly)
            Decide(node, RunServiceActionAsync(node, spec, state.Failed).GetAwaiter().GetResult()); // completes at once
        else
        {
            state.Phase = Phase.Waiting;
            _running++;
            // The action's fanout joins the global minimum now, before any command of this pass starts (spec §4.2.6).
            IDisposable fanout = _limiter.Register(spec.Fanout);
            NodeSet failedBefore = state.Failed;
            _ = Track(node, Task.Run(() => RunServiceActionAsync(node, spec, failedBefore)), fanout);
        }
    }

    private void LaunchGroup(RunNode group, string action, Severity dependencies)
    {
        EntityState state = _states[group];
        if (!HasAction(group, action))
            Decide(group, Outcome.Simple(ActionStatus.Missing, action));
        else if (AllTargetsEmpty(group, action))
            Decide(group, Outcome.Simple(ActionStatus.Skipped, action));
        else if (dependencies == Severity.DependencyError)
            Decide(group, Outcome.Simple(ActionStatus.DependencyError, action));
        else
        {
            state.Phase = Phase.Waiting;
            state.Requested = action;
            if (!state.Failed.IsEmpty)
                PushFailedNodes(group, state.Failed);
            foreach (RunNode sink in group.Sinks)
                Prepare(sink, action);
            CompleteGroupIfDone(group);
        }
    }

    /// <summary>
    /// An outcome known without running anything: finished by <see cref="Drain"/>, iteratively, so that long
    /// chains of Missing/Skipped/DependencyError never recurse deeply, and a plan-only run keeps a stable order.
    /// </summary>
    private void Decide(RunNode node, Outcome outcome)
    {
        _states[node].Phase = Phase.Waiting;
        _states[node].Deciding = true;
        _pending.Enqueue((node, outcome));
    }

    private void Drain()
    {
        while (_pending.TryDequeue(out var next))
            Finish(next.Node, next.Outcome);
    }

    private void Finish(RunNode node, Outcome outcome)
    {
        EntityState state = _states[node];
        if (state.Phase == Phase.Final)
            return;
        state.Phase = Phase.Final;
        state.Status = outcome.Status;
        state.Failed = state.Failed.Union(outcome.FailedForFiltering);
        Emit(node, state, outcome);
        if (_stopAtFirstFailure && outcome.Status is ActionStatus.Error or ActionStatus.Timeout or ActionStatus.DependencyError)
        {
            _stop.Cancel();
            return;
        }
        foreach (var (successor, kind) in node.Successors)
        {
            EntityState next = _states[successor];
            if (kind != DependencyKind.RequireWeak && !state.Failed.IsEmpty)
                next.Failed = next.Failed.Union(state.Failed);
            if (next.Phase == Phase.NoStatus && next.Activated && successor.Predecessors.All(p => _states[p.Node].Phase == Phase.Final))
                Prepare(successor, null);
        }
        if (node.Group is { } group)
            CompleteGroupIfDone(group);
    }

    private void CompleteGroupIfDone(RunNode group)
    {
        EntityState state = _states[group];
        if (state.Phase != Phase.Waiting || state.Deciding || !group.Sinks.All(s => _states[s].Phase == Phase.Final))
            return;
        Severity worst = WorstUnderRequire(group.Sinks.Select(sink => _states[sink].Status!.Value));
        NodeSet failed = NodeSet.UnionAll(group.Sinks.Select(sink => _states[sink].Failed));
        var outcome = Outcome.Simple(ToStatus(worst), state.Requested!) with { FailedForFiltering = failed, ReportedFailed = failed };
        Decide(group, outcome);
    }

    private void PushFailedNodes(RunNode group, NodeSet failed)
    {
        foreach (RunNode member in group.Members)
        {
            EntityState state = _states[member];
            state.Failed = state.Failed.Union(failed);
            PushFailedNodes(member, failed);
        }
    }

    private bool HasAction(RunNode node, string action) => node.Entity switch
    {
        ServiceEntity service => _plan.FindAction(service, action) is not null,
        _ => node.Members.Any(m => HasAction(m, action)),
    };

    /// <summary>Every member that has the action has nothing left of its target (a group filtered out by tags).</summary>
    private bool AllTargetsEmpty(RunNode node, string action) => node.Entity switch
    {
        ServiceEntity service => _plan.FindAction(service, action) is not { } spec || spec.IsEmptyTarget,
        _ => node.Members.All(m => AllTargetsEmpty(m, action)),
    };

    private void EmitLockedIfNeeded(RunNode node)
    {
        EntityState state = _states[node];
        if (state.Status == ActionStatus.Locked && !state.Emitted)
            Emit(node, state, Outcome.Simple(ActionStatus.Locked, state.Requested ?? _plan.Action));
    }

    private void Emit(RunNode node, EntityState state, Outcome outcome)
    {
        state.Emitted = true;
        ActionResult result = ToResult(node, outcome, node.Entity.TargetText ?? string.Empty,
            state.Start ?? DateTimeOffset.Now, state.Watch?.Elapsed ?? TimeSpan.Zero);
        _results.Add(result);
        _observer.ActionCompleted(result);
    }

    /// <summary>The run is over when nothing runs any more (also after a cancellation, once in-flight commands are killed).</summary>
    private void CheckFinished()
    {
        if (_running == 0)
            _finished.TrySetResult();
    }

    private async Task Track(RunNode node, Task<Outcome> work, IDisposable fanout)
    {
        Outcome? outcome = null;
        try
        {
            // Never continue inline: the caller holds the lock and may still be launching siblings.
            outcome = await work.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (OperationCanceledException) when (_token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            outcome = Outcome.Simple(ActionStatus.Error, _states[node].Requested!) with
            {
                Nodes = new[] { new NodeResult("localhost", node.Entity.FullName, _states[node].Requested!, NodeStatus.Unreachable, null, string.Empty, TimeSpan.Zero, e.Message) },
            };
        }
        fanout.Dispose();
        lock (_gate)
        {
            _running--;
            if (outcome is not null && !_token.IsCancellationRequested)
                Finish(node, outcome);
            Drain();
            CheckFinished();
        }
    }

    // ---- running one action (outside _gate) --------------------------------------------------------

    /// <param name="visiting">The actions of this service whose checks are being run (a checked action with checks of
    /// its own follows the same rule one level down; an action already on the way is not checked again).</param>
    private async Task<Outcome> RunServiceActionAsync(RunNode node, ActionSpec spec, NodeSet failedBefore, HashSet<string>? visiting = null)
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
                Outcome check = await RunServiceActionAsync(node, checkSpec, failedBefore, visiting).ConfigureAwait(false);
                checks.Add(ToResult(node, check, string.Empty, DateTimeOffset.Now, TimeSpan.Zero));
                checkFailed = checkFailed.Union(check.ReportedFailed);
            }
            if (WorstUnderRequire(checks.Select(c => c.Status)) == Severity.Done && !_planOnly)
            {
                // The check says it is already so: the action is Done without running (spec §4.7).
                return new Outcome(ActionStatus.Done, spec.Name, spec, Array.Empty<NodeResult>(), checks, checkFailed,
                    checkFailed, start, watch.Elapsed, 0);
            }
            // DependencyError: run it. Warning, Skipped, Missing: upstream stays stuck forever; here it runs (§6.4).
        }
        Outcome own = await RunActionAsync(node, spec, failedBefore).ConfigureAwait(false);
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
    private static ActionResult ToResult(RunNode node, Outcome outcome, string fallbackTarget, DateTimeOffset fallbackStart, TimeSpan fallbackDuration) => new(
        node.Entity.FullName, node.Entity.GroupName, node.Entity.Kind, outcome.Action, outcome.Status, node.IsEntry,
        outcome.Spec?.ConfiguredTarget ?? fallbackTarget, outcome.ReportedFailed.IsEmpty ? string.Empty : outcome.ReportedFailed.ToString(),
        outcome.Nodes, outcome.Checks, outcome.Spec?.Command ?? string.Empty, outcome.Start ?? fallbackStart,
        outcome.Duration ?? fallbackDuration, outcome.Attempts, node.Entity.Description);

    /// <summary>One action itself (its checks are the caller's): target filtering, delay, attempts and evaluation.</summary>
    private async Task<Outcome> RunActionAsync(RunNode node, ActionSpec spec, NodeSet failedBefore)
    {
        var watch = Stopwatch.StartNew();
        DateTimeOffset start = DateTimeOffset.Now;
        NodeSet? target = spec.Target;
        if (target is not null && !failedBefore.IsEmpty)
            target -= failedBefore;
        if (target is { IsEmpty: true })
            return Outcome.Simple(ActionStatus.Skipped, spec.Name, spec);
        if (_planOnly)
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
                await DelayAtLeastAsync(spec.Delay, _token).ConfigureAwait(false);
            attempts++;
            if (attempts == 1)
                _observer.ActionStarted(node.Entity.FullName, spec.Name, (int)Math.Min(int.MaxValue, target?.Count ?? 1));
            nodes = await RunNodesAsync(node, spec, target).ConfigureAwait(false);
            if (attempts <= spec.Retry && nodes.Any(n => n.Status != NodeStatus.Ok))
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

    private async Task<IReadOnlyList<NodeResult>> RunNodesAsync(RunNode node, ActionSpec spec, NodeSet? target)
    {
        string command = EmbeddedScript.ToShellCommand(spec.Command);
        string service = node.Entity.FullName;
        switch (spec.Mode)
        {
            case ExecutionMode.Local:
            case ExecutionMode.Delegate:
                return new[] { await RunOneAsync(_local, "localhost", command, spec, service).ConfigureAwait(false) };
            case ExecutionMode.Exec when ExecPlaceholders.UsesAllHosts(command):
            {
                // %hosts: one process stands for every node.
                string all = target!.ToString();
                NodeResult one = await RunOneAsync(_local, all, ExecPlaceholders.Substitute(command, all, 0, all), spec, service).ConfigureAwait(false);
                return target.Select(n => one with { Node = n }).ToArray();
            }
            case ExecutionMode.Exec:
            {
                string all = target!.ToString();
                var tasks = new List<Task<NodeResult>>();
                int rank = 0;
                foreach (string name in target)
                    tasks.Add(RunOneAsync(_local, name, ExecPlaceholders.Substitute(command, name, rank++, all), spec, service));
                return await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            case ExecutionMode.Remote:
            {
                var tasks = new List<Task<NodeResult>>();
                foreach (string name in target!)
                    tasks.Add(RunOneAsync(_remote, name, command, spec, service));
                return await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            default:
                throw new InvalidOperationException($"Unknown execution mode {spec.Mode}.");
        }
    }

    private async Task<NodeResult> RunOneAsync(ITransport transport, string name, string command, ActionSpec spec, string service)
    {
        using IDisposable slot = await _limiter.AcquireAsync(_token).ConfigureAwait(false);
        NodeOutcome outcome;
        var watch = Stopwatch.StartNew();
        try
        {
            outcome = await transport.RunAsync(name, command, spec.Timeout, _token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            outcome = new NodeOutcome(NodeStatus.Unreachable, null, string.Empty, watch.Elapsed, e.Message);
        }
        var result = new NodeResult(name, service, spec.Name, outcome.Status, outcome.ExitCode, outcome.Output, outcome.Duration, outcome.Reason);
        _observer.NodeCompleted(result);
        return result;
    }

    // ---- statuses -----------------------------------------------------------------------------------

    /// <summary>Upstream's aggregation order (spec §4.1): the highest wins.</summary>
    private enum Severity { Locked = 3, Missing = 4, Skipped = 5, Done = 6, Warning = 7, NoStatus = 8, Waiting = 9, DependencyError = 10 }

    private Severity Aggregate(List<(RunNode Node, DependencyKind Kind)> predecessors)
    {
        if (predecessors.Count == 0)
            return Severity.Missing;
        Severity worst = Severity.Locked;
        foreach (var (pred, kind) in predecessors)
        {
            EntityState state = _states[pred];
            Severity severity = state.Phase switch
            {
                Phase.NoStatus => Severity.NoStatus,
                Phase.Waiting => Severity.Waiting,
                _ => Map(state.Status!.Value, kind),
            };
            if (severity > worst)
                worst = severity;
        }
        return worst;
    }

    /// <summary>REQUIRE semantics over final statuses (group sinks, action-level checks): a failure is DependencyError;
    /// then Warning &gt; Done &gt; Skipped &gt; Missing &gt; Locked, which is also the answer when there is none.</summary>
    private static Severity WorstUnderRequire(IEnumerable<ActionStatus> statuses)
    {
        Severity worst = Severity.Locked;
        foreach (ActionStatus status in statuses)
        {
            Severity severity = Map(status, DependencyKind.Require);
            if (severity > worst)
                worst = severity;
        }
        return worst;
    }

    private static Severity Map(ActionStatus status, DependencyKind kind)
    {
        bool strong = kind is DependencyKind.Require or DependencyKind.Check;
        return status switch
        {
            ActionStatus.Error or ActionStatus.Timeout or ActionStatus.DependencyError => strong ? Severity.DependencyError : Severity.Done,
            ActionStatus.Done => Severity.Done,
            ActionStatus.Warning => Severity.Warning,
            ActionStatus.Skipped => Severity.Skipped,
            ActionStatus.Missing => Severity.Missing,
            ActionStatus.Locked => Severity.Locked,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown action status."),
        };
    }

    private static ActionStatus ToStatus(Severity severity) => severity switch
    {
        Severity.DependencyError => ActionStatus.DependencyError,
        Severity.Warning => ActionStatus.Warning,
        Severity.Done => ActionStatus.Done,
        Severity.Skipped => ActionStatus.Skipped,
        Severity.Missing => ActionStatus.Missing,
        _ => ActionStatus.Locked,
    };

    private enum Phase { NoStatus, Waiting, Final }

    private sealed class EntityState
    {
        public EntityState(bool locked)
        {
            if (locked)
            {
                Phase = Phase.Final;
                Status = ActionStatus.Locked;
            }
        }

        public Phase Phase { get; set; }
        public ActionStatus? Status { get; set; }
        public bool Activated { get; set; }
        public bool Pulled { get; set; }
        public bool Emitted { get; set; }
        public bool Deciding { get; set; }
        public string? Requested { get; set; }
        public NodeSet Failed { get; set; } = NodeSet.Empty;
        public DateTimeOffset? Start { get; set; }
        public Stopwatch? Watch { get; set; }
    }

    /// <summary>How an entity ended, before it becomes an <see cref="ActionResult"/>.</summary>
    private sealed record Outcome(
        ActionStatus Status, string Action, ActionSpec? Spec, IReadOnlyList<NodeResult> Nodes, IReadOnlyList<ActionResult> Checks,
        NodeSet FailedForFiltering, NodeSet ReportedFailed, DateTimeOffset? Start, TimeSpan? Duration, int Attempts)
    {
        public static Outcome Simple(ActionStatus status, string action, ActionSpec? spec = null) =>
            new(status, action, spec, Array.Empty<NodeResult>(), Array.Empty<ActionResult>(), NodeSet.Empty, NodeSet.Empty, null, null, 0);
    }
}
