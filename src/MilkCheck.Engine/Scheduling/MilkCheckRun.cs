using System.Security.Cryptography;
using MilkCheck.Configuration;
using MilkCheck.Execution;
using MilkCheck.Journal;
using MilkCheck.Variables;

namespace MilkCheck.Scheduling;

/// <summary>
/// One run of an action over a loaded configuration: what every front end (the cmdlets, the <c>milkcheck</c>
/// command) creates, previews, confirms and runs. It owns the plan, its preview (a pure walk: nothing connects or
/// runs), its warnings, its transports and their disposal, and its observers. It runs once.
/// </summary>
internal sealed class MilkCheckRun
{
    private readonly RunPlan _plan;
    private readonly List<IRunObserver> _observers = new();
    private RunEngine? _engine;
    private IReadOnlyList<PlannedAction>? _preview;
    private int _reached;

    private readonly Func<Action<string>, ITransportLease> _transports;

    private MilkCheckRun(MilkCheckConfiguration configuration, RunOptions options, RunPlan plan, Func<ITransportLease>? transports,
        ConnectionPool? connections)
    {
        _transports = transports is not null ? _ => transports() : notice => Transports.For(configuration.Global, connections, notice);
        Configuration = configuration;
        Options = options;
        _plan = plan;
        Created = DateTimeOffset.Now;
        Id = $"{Created.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
    }

    /// <summary>Plans the run: throws <see cref="RunSetupException"/> (nothing has run) when it cannot start.</summary>
    /// <param name="commands">Runs <c>%(...)</c> in run-time properties; null: the shell, as upstream.</param>
    /// <param name="transports">Where commands go; null: the transports milkcheck.conf chooses.</param>
    /// <param name="connections">The session's kept SSH connections (the module's, per runspace): the run borrows
    /// from it and gives back to it (connection_persist); null: the run's connections close at its end.</param>
    public static MilkCheckRun Create(MilkCheckConfiguration configuration, RunOptions options, ICommandSubstitution? commands = null,
        Func<ITransportLease>? transports = null, ConnectionPool? connections = null) =>
        new(configuration, options, RunPlan.Build(configuration.Model, configuration.Global, options, commands), transports, connections);

    /// <summary>Sortable and unique: <c>yyyyMMdd-HHmmss-xxxxxx</c> (UTC), as the journal names the run.</summary>
    public string Id { get; }

    public DateTimeOffset Created { get; }

    public MilkCheckConfiguration Configuration { get; }

    public RunOptions Options { get; }

    public string Action => _plan.Action;

    /// <summary>-ErrorAction Stop: the first Error/Timeout/DependencyError ends the run as a cancellation does.</summary>
    public bool StopAtFirstFailure => Options.StopAtFirstFailure;

    /// <summary>Warnings of the plan (unknown -X names, empty node selection…): front ends write them first.</summary>
    public IReadOnlyList<(string ErrorId, string Message)> Warnings => _plan.Warnings;

    /// <summary>The fanout of actions that set none.</summary>
    public int DefaultFanout => _plan.DefaultFanout;

    /// <summary>Every action the run would execute, in run order (the -WhatIf lines): nothing connects or runs.</summary>
    public IReadOnlyList<PlannedAction> Preview
    {
        get
        {
            EnsurePreview();
            return _preview!;
        }
    }

    /// <summary>How many entities the run reaches: one result each (progress total).</summary>
    public int EntityCount
    {
        get
        {
            EnsurePreview();
            return _reached;
        }
    }

    /// <summary>Node commands in flight now (progress).</summary>
    public int NodesInFlight => _engine?.NodesInFlight ?? 0;

    /// <summary>Adds an observer (the cmdlet's queue, the journal); call before <see cref="RunAsync"/>.</summary>
    public void AddObserver(IRunObserver observer)
    {
        if (_engine is not null)
            throw new InvalidOperationException("Observers are added before the run starts.");
        _observers.Add(observer);
    }

    /// <summary>
    /// Runs to the end with the configured transports and closes them. Every result is reported to the observers as
    /// it becomes final; stopped, the actions that were running are reported with their cancelled nodes and
    /// OperationCanceledException is thrown.
    /// </summary>
    public async Task<IReadOnlyList<ActionResult>> RunAsync(CancellationToken cancellationToken = default)
    {
        if (_engine is not null)
            throw new InvalidOperationException("A run runs once; create a new one.");
        // An observer that throws is a defect of its front end: the others still hear of everything, the run stops
        // (what runs is killed) and ends as an internal error instead of leaving the engine half way.
        using var faulted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var observer = new Observers(_observers.ToArray(), faulted);
        RunJournal? journal = RunJournal.Open(this, observer.Warning);
        if (journal is not null)
        {
            JournalPath = journal.FilePath;
            observer = new Observers(_observers.Prepend(journal).ToArray(), faulted);
        }
        using ITransportLease transports = _transports(observer.Verbose);
        _engine = new RunEngine(_plan, transports.Local, transports.Remote, observer, planOnly: false, StopAtFirstFailure,
            new RunIdentity(Id, Configuration.Path));
        IReadOnlyList<ActionResult>? results = null;
        try
        {
            results = await _engine.RunAsync(faulted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (observer.Fault is not null && !cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            bool interrupted = results is null || cancellationToken.IsCancellationRequested || _engine.Stopped;
            if (journal is not null)
                await journal.CompleteAsync(results ?? _engine.Results, interrupted).ConfigureAwait(false);
            observer.RunCompleted(results ?? _engine.Results, interrupted);
        }
        if (observer.Fault is { } fault)
            throw new InvalidOperationException($"The run stopped on an internal error of MilkCheck: {fault.Message}", fault);
        return results!;
    }

    /// <summary>The journal file of this run once it runs; null before, or when there is none.</summary>
    public string? JournalPath { get; private set; }

    private void EnsurePreview()
    {
        if (_preview is not null)
            return;
        var walk = new RunEngine(_plan, local: null, remote: null, planOnly: true);
        _reached = walk.RunAsync().GetAwaiter().GetResult().Count; // a plan-only walk completes synchronously
        _preview = walk.Planned;
    }

    /// <summary>Reports to every observer in the order they were added; the first that throws stops the run.</summary>
    private sealed class Observers : IRunObserver
    {
        private readonly IRunObserver[] _all;
        private readonly CancellationTokenSource _stop;
        private Exception? _fault;

        public Observers(IRunObserver[] all, CancellationTokenSource stop)
        {
            _all = all;
            _stop = stop;
        }

        public Exception? Fault => Volatile.Read(ref _fault);

        private void Each(Action<IRunObserver> report)
        {
            foreach (IRunObserver o in _all)
            {
                try
                {
                    report(o);
                }
                catch (Exception e)
                {
                    if (Interlocked.CompareExchange(ref _fault, e, null) is null)
                    {
                        try
                        {
                            _stop.Cancel();
                        }
                        catch (ObjectDisposedException)
                        {
                            // The run is over: nothing left to stop.
                        }
                    }
                }
            }
        }

        public void ActionStarted(string service, string action, string target, int nodes) =>
            Each(o => o.ActionStarted(service, action, target, nodes));

        public void NodeCompleted(NodeResult result) => Each(o => o.NodeCompleted(result));

        public void ActionCompleted(ActionResult result) => Each(o => o.ActionCompleted(result));

        public void Warning(string errorId, string message) => Each(o => o.Warning(errorId, message));

        public void Verbose(string message) => Each(o => o.Verbose(message));

        public void ActionDelayed(string service, string action, TimeSpan delay, string target, int attempt) =>
            Each(o => o.ActionDelayed(service, action, delay, target, attempt));

        public void ActionRetried(string service, string action, string target, int attempt) =>
            Each(o => o.ActionRetried(service, action, target, attempt));

        public void RunCompleted(IReadOnlyList<ActionResult> results, bool interrupted) => Each(o => o.RunCompleted(results, interrupted));
    }
}
