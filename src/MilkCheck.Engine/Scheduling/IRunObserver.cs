namespace MilkCheck.Scheduling;

/// <summary>
/// How a run reports: called on worker threads, in causal order for each entity (started before completed).
/// Implementations must be thread-safe and quick (queue and return): the engine holds no lock while calling.
/// </summary>
internal interface IRunObserver
{
    /// <summary>An action starts its first attempt (after its delay); <paramref name="nodes"/> nodes will run.</summary>
    /// <param name="target">The nodes it runs on: its target after -Node/-ExcludeNode and after the nodes that failed
    /// in its dependencies were removed; empty for a local action.</param>
    void ActionStarted(string service, string action, string target, int nodes);

    /// <summary>One node's command is over (every attempt reports).</summary>
    void NodeCompleted(NodeResult result);

    /// <summary>An entity is final: exactly one per reached entity.</summary>
    void ActionCompleted(ActionResult result);

    /// <summary>A warning that arises while the run goes (plan warnings are the run's <c>Warnings</c>, known before).</summary>
    void Warning(string errorId, string message);

    /// <summary>An attempt of an action waits its configured <c>delay</c> first (each attempt, retries too).</summary>
    /// <param name="target">The nodes the attempt will run on (as <see cref="ActionStarted"/>'s).</param>
    /// <param name="attempt">1 for the first attempt, 2 or more for a retry.</param>
    void ActionDelayed(string service, string action, TimeSpan delay, string target, int attempt) { }

    /// <summary>A retry: attempt <paramref name="attempt"/> (2 or more) of an action starts, after its delay.</summary>
    void ActionRetried(string service, string action, string target, int attempt) { }

    /// <summary>A detail for -Verbose (a kept SSH connection found dead and reopened…): never a failure.</summary>
    void Verbose(string message) { }

    /// <summary>The run is over: every result was reported; <paramref name="interrupted"/> when it was stopped.</summary>
    void RunCompleted(IReadOnlyList<ActionResult> results, bool interrupted) { }
}

/// <summary>Does nothing: for callers that only want the results returned.</summary>
internal sealed class NullRunObserver : IRunObserver
{
    public void ActionStarted(string service, string action, string target, int nodes) { }
    public void NodeCompleted(NodeResult result) { }
    public void ActionCompleted(ActionResult result) { }
    public void Warning(string errorId, string message) { }
}
