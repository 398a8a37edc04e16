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
    private readonly IRunObserver _observer;
    private readonly bool _planOnly;
    private readonly FanoutLimiter _limiter;
    private readonly ActionRunner _runner;
    private readonly object _gate = new();
    private readonly Dictionary<RunNode, EntityState> _states = new(ReferenceEqualityComparer.Instance);
    private readonly List<ActionResult> _results = new();
    private readonly List<PlannedAction> _planned = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _stopAtFirstFailure;
    private readonly CancellationTokenSource _stop = new();
    private CancellationToken _token;
    private readonly Queue<(RunNode Node, Outcome Outcome)> _pending = new();
    private Exception? _fault;
    private int _running;
    private bool _started;

    /// <param name="local">Local, exec and delegate commands; null only for a plan-only walk.</param>
    /// <param name="remote">Standard-mode remote targets; null only for a plan-only walk.</param>
    /// <param name="planOnly">Nothing is executed or connected: every action is Done at once and recorded in
    /// <see cref="Planned"/>.</param>
    /// <param name="stopAtFirstFailure">-ErrorAction Stop: the first Error/Timeout/DependencyError result ends the
    /// run as a cancellation does (in-flight commands killed, nothing new started), without an exception.</param>
    /// <param name="identity">The run id and configuration path every result carries.</param>
    public RunEngine(RunPlan plan, ITransport? local, ITransport? remote, IRunObserver? observer = null, bool planOnly = false,
        bool stopAtFirstFailure = false, RunIdentity? identity = null)
    {
        if (!planOnly && (local is null || remote is null))
            throw new ArgumentException("A run that executes needs a local and a remote transport.");
        _stopAtFirstFailure = stopAtFirstFailure;
        _plan = plan;
        _observer = observer ?? new NullRunObserver();
        _planOnly = planOnly;
        _limiter = new FanoutLimiter(plan.DefaultFanout);
        _runner = new ActionRunner(plan, local, remote, _observer, _limiter, planOnly ? _planned : null, identity ?? RunIdentity.None);
        foreach (RunNode node in plan.Nodes.Values)
            _states[node] = new EntityState(node.Locked);
    }

    /// <summary>The run stopped itself before its end (-ErrorAction Stop, an internal error).</summary>
    public bool Stopped => _stop.IsCancellationRequested;

    /// <summary>The results reported so far, in order.</summary>
    public IReadOnlyList<ActionResult> Results
    {
        get
        {
            lock (_gate)
                return _results.ToArray();
        }
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
        lock (_gate)
        {
            foreach (RunNode entry in _plan.Entries)
                Prepare(entry, _plan.Action);
            Drain();
            CheckFinished();
        }
        using (_token.Register(() => { lock (_gate) CheckFinished(); }))
            await _finished.Task.ConfigureAwait(false);
        if (_fault is not null)
            throw new InvalidOperationException($"The run stopped on an internal error of MilkCheck: {_fault.Message}", _fault);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
            return _results.ToArray();
    }

    // ---- the algorithm (always under _gate) ---------------------------------------------------------

    /// <summary>
    /// Upstream's prepare: a node whose predecessors have no status yet pulls them in, depth first, each with the
    /// action it needs (status through a check edge); a node whose predecessors are all known launches. Walked with
    /// an explicit stack, so a chain of 50,000 services never deepens the thread's stack.
    /// </summary>
    private void Prepare(RunNode start, string? action)
    {
        var pulling = new Stack<PullFrame>();
        if (Enter(start, action))
            pulling.Push(new PullFrame(start));
        while (pulling.Count > 0)
        {
            PullFrame frame = pulling.Peek();
            List<(RunNode Node, DependencyKind Kind)> predecessors = frame.Node.Predecessors;
            if (frame.Next == predecessors.Count)
            {
                pulling.Pop();
                continue;
            }
            var (pred, kind) = predecessors[frame.Next++];
            EntityState predState = _states[pred];
            if (predState.Phase != Phase.NoStatus)
                continue;
            string wanted = kind == DependencyKind.Check ? "status" : _states[frame.Node].Requested!;
            // Pulled already with the same action: it will prepare itself when its own predecessors finish.
            if (predState.Activated && predState.Pulled && predState.Requested == wanted)
                continue;
            predState.Pulled = true;
            if (Enter(pred, wanted))
                pulling.Push(new PullFrame(pred));
        }
    }

    /// <summary>One node's prepare up to pulling: true when its predecessors without status must be pulled.</summary>
    private bool Enter(RunNode node, string? action)
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
            return false;
        }
        foreach (var (pred, _) in node.Predecessors)
            EmitLockedIfNeeded(pred);
        if (node.Predecessors.Any(p => _states[p.Node].Phase == Phase.NoStatus))
            return true;
        Severity dependencies = Aggregate(node.Predecessors);
        if (dependencies != Severity.Waiting)
            Launch(node, state.Requested!, dependencies);
        return false;
    }

    /// <summary>A node being prepared and the next of its predecessors to consider.</summary>
    private sealed class PullFrame
    {
        public PullFrame(RunNode node) => Node = node;

        public RunNode Node { get; }

        public int Next { get; set; }
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
            Decide(node, _runner.RunAsync(node, spec, state.Failed, _token).GetAwaiter().GetResult()); // completes at once
        else
        {
            state.Phase = Phase.Waiting;
            _running++;
            // The action's fanout joins the global minimum now, before any command of this pass starts (spec §4.2.6).
            IDisposable fanout = _limiter.Register(spec.Fanout);
            NodeSet failedBefore = state.Failed;
            CancellationToken token = _token;
            _ = Track(node, Task.Run(() => _runner.RunAsync(node, spec, failedBefore, token)), fanout);
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
            _stop.Cancel();
        // Stopped: what was running is reported as it ended; nothing follows from it.
        if (_token.IsCancellationRequested)
            return;
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
        Severity worst = StatusRules.WorstUnderRequire(group.Sinks.Select(sink => _states[sink].Status!.Value));
        NodeSet failed = NodeSet.UnionAll(group.Sinks.Select(sink => _states[sink].Failed));
        var outcome = Outcome.Simple(StatusRules.ToStatus(worst), state.Requested!) with { FailedForFiltering = failed, ReportedFailed = failed };
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
        ActionResult result = _runner.ToResult(node, outcome, node.Entity.TargetText ?? string.Empty,
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
            // Stopped during its delay: nothing of it ran.
        }
        catch (Exception e)
        {
            // A defect of MilkCheck itself, never a node's status: the run stops and says so.
            lock (_gate)
                _fault ??= e;
            _stop.Cancel();
        }
        fanout.Dispose();
        lock (_gate)
        {
            _running--;
            if (outcome is not null)
                Finish(node, outcome);
            Drain();
            CheckFinished();
        }
    }

    /// <summary>What the predecessors say now: Waiting/NoStatus while one is not final, else the worst through its edge.</summary>
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
                _ => StatusRules.Map(state.Status!.Value, kind),
            };
            if (severity > worst)
                worst = severity;
        }
        return worst;
    }

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
}
