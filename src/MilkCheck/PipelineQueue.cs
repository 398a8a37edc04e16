using System.Collections.Concurrent;
using MilkCheck.Scheduling;

namespace MilkCheck;

/// <summary>
/// Engine events queued for the pipeline thread, which alone writes to the pipeline: the engine reports on worker
/// threads into it, a cmdlet drains it in its own thread until the run completes or the cmdlet is stopped.
/// </summary>
internal sealed class PipelineQueue : IRunObserver, IDisposable
{
    /// <summary>Something changed that progress may show (an action started, nodes completed).</summary>
    public static readonly object Tick = new();

    private readonly BlockingCollection<object> _queue = new();
    private int _nodes;

    public sealed record WarningItem(string Id, string Message);

    /// <summary>An action started on <paramref name="Nodes"/> nodes: a verbose line and the progress's current operation.</summary>
    public sealed record ActionStartedItem(string Service, string Action, int Nodes);

    public void ActionStarted(string service, string action, string target, int nodes) => Add(new ActionStartedItem(service, action, nodes));

    public sealed record VerboseItem(string Message);

    public void NodeCompleted(NodeResult result)
    {
        // Progress only: one tick per 64 nodes keeps a 4,000-node run from flooding the queue.
        if (Interlocked.Increment(ref _nodes) % 64 == 0)
            Add(Tick);
    }

    public void ActionCompleted(ActionResult result) => Add(result);

    public void Warning(string errorId, string message) => Add(new WarningItem(errorId, message));

    public void Verbose(string message) => Add(new VerboseItem(message));

    public void RunCompleted(IReadOnlyList<ActionResult> results, bool interrupted) => Complete();

    /// <summary>Nothing more will come (also called when the run task ends, whatever happened).</summary>
    public void Complete()
    {
        try
        {
            _queue.CompleteAdding();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The items in order, until the run completes, or nothing once <paramref name="token"/> is cancelled.</summary>
    public IEnumerable<object> Drain(CancellationToken token)
    {
        while (true)
        {
            object? item;
            try
            {
                if (!_queue.TryTake(out item, Timeout.Infinite, token))
                    yield break; // completed and empty
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            yield return item;
        }
    }

    private void Add(object item)
    {
        try
        {
            _queue.Add(item);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Completed: the run is over, or the cmdlet has gone.
        }
    }

    public void Dispose() => _queue.Dispose();
}
