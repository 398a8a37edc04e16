using System.Collections.Concurrent;
using MilkCheck.Configuration;
using MilkCheck.Engine.Tests.Groups;
using MilkCheck.Execution;
using MilkCheck.Model;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;
using Xunit;

namespace MilkCheck.Engine.Tests.Scheduling;

/// <summary>
/// A fake transport that records every command in the order it started and answers from the command text:
/// <c>fail</c> → exit 1, <c>exit N</c> → exit N, <c>timeout</c> → Timeout, <c>unreachable</c> → Unreachable;
/// <c>… @nodes</c> applies only on those nodes (others Ok). Anything else is Ok with the command as output.
/// </summary>
internal sealed class FakeTransport : ITransport
{
    private readonly ConcurrentQueue<(string Node, string Command)> _calls = new();
    private int _inFlight;
    private int _maxInFlight;

    public Func<string, string, CancellationToken, Task>? Gate { get; set; }

    public IReadOnlyList<(string Node, string Command)> Calls => _calls.ToArray();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        _calls.Enqueue((node, command));
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while ((max = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
        try
        {
            await Task.Yield();
            if (Gate is not null)
                await Gate(node, command, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            return Answer(node, command);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static NodeOutcome Answer(string node, string command)
    {
        string behaviour = command;
        int at = command.IndexOf(" @", StringComparison.Ordinal);
        if (at >= 0)
        {
            behaviour = command[..at];
            if (!NodeSet.Parse(command[(at + 2)..]).Contains(node))
                return new NodeOutcome(NodeStatus.Ok, 0, $"{node}: ok", TimeSpan.Zero, null);
        }
        if (behaviour == "fail")
            return new NodeOutcome(NodeStatus.Failed, 1, $"{node}: failed", TimeSpan.Zero, null);
        if (behaviour.StartsWith("exit ", StringComparison.Ordinal))
        {
            int code = int.Parse(behaviour[5..]);
            return new NodeOutcome(code == 0 ? NodeStatus.Ok : NodeStatus.Failed, code, string.Empty, TimeSpan.Zero, null);
        }
        if (behaviour == "timeout")
            return new NodeOutcome(NodeStatus.Timeout, null, string.Empty, TimeSpan.Zero, "timed out");
        if (behaviour == "unreachable")
            return new NodeOutcome(NodeStatus.Unreachable, null, string.Empty, TimeSpan.Zero, "connection refused");
        return new NodeOutcome(NodeStatus.Ok, 0, command, TimeSpan.Zero, null);
    }
}

/// <summary>Records what the engine reports.</summary>
internal sealed class RecordingObserver : IRunObserver
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> Events => _events.ToArray();
    public List<(string Id, string Message)> Warnings { get; } = new();

    public void ActionStarted(string service, string action, string target, int nodes) => _events.Enqueue($"start {service}.{action}");
    public void NodeCompleted(NodeResult result) => _events.Enqueue($"node {result.Service}.{result.Action} {result.Node}");
    public void ActionCompleted(ActionResult result) => _events.Enqueue($"done {result.Service} {result.Status}");

    public void Warning(string errorId, string message)
    {
        lock (Warnings)
            Warnings.Add((errorId, message));
    }
}

/// <summary>A configuration written to a temp directory and run with fake or real transports.</summary>
internal sealed class RunHarness : IDisposable
{
    private readonly TempDirectory _dir = new();

    public RunHarness(string yaml, GlobalConfiguration? global = null)
    {
        _dir.Write("services.yaml", yaml);
        Model = ServiceConfigurationLoader.Load(_dir.Path);
        Assert.DoesNotContain(Model.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Global = global ?? GlobalConfiguration.Default;
    }

    public ServiceModel Model { get; }
    public GlobalConfiguration Global { get; }
    public FakeTransport Local { get; } = new();
    public FakeTransport Remote { get; } = new();
    public RecordingObserver Observer { get; } = new();

    public RunPlan Plan(string action, Func<RunOptions, RunOptions>? configure = null) =>
        RunPlan.Build(Model, Global, configure?.Invoke(new RunOptions { Action = action }) ?? new RunOptions { Action = action });

    /// <summary>The warnings of the last plan run (the run object's, which front ends write before anything runs).</summary>
    public IReadOnlyList<(string Id, string Message)> Warnings { get; private set; } = Array.Empty<(string, string)>();

    public IReadOnlyList<ActionResult> Run(string action, Func<RunOptions, RunOptions>? configure = null, ITransport? local = null, ITransport? remote = null)
    {
        RunPlan plan = Plan(action, configure);
        Warnings = plan.Warnings.ToArray();
        return new RunEngine(plan, local ?? Local, remote ?? Remote, Observer).RunAsync().GetAwaiter().GetResult();
    }

    /// <summary>Node commands in start order, as "node:command".</summary>
    public IReadOnlyList<string> RemoteCalls => Remote.Calls.Select(c => $"{c.Node}:{c.Command}").ToArray();
    public IReadOnlyList<string> LocalCalls => Local.Calls.Select(c => c.Command).ToArray();

    public void Dispose() => _dir.Dispose();
}

internal static class ResultAssertions
{
    public static ActionResult Of(this IReadOnlyList<ActionResult> results, string service) =>
        Assert.Single(results, r => r.Service == service);

    public static ActionStatus StatusOf(this IReadOnlyList<ActionResult> results, string service) => results.Of(service).Status;
}
