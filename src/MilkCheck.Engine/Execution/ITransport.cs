namespace MilkCheck.Execution;

/// <summary>What one command did on one node: the raw material of a <see cref="NodeResult"/>.</summary>
/// <param name="ExitCode">Null when the command never completed (timeout, transport failure).</param>
/// <param name="Output">stdout and stderr merged, as upstream, without the final newline; capped, and a last line
/// says so when it was cut.</param>
internal sealed record NodeOutcome(NodeStatus Status, int? ExitCode, string Output, TimeSpan Duration, string? Reason)
{
    /// <summary>
    /// What the run should warn about, once per run each (a host key that changed but was accepted, ssh_config
    /// settings not used): the run writes them as warnings.
    /// </summary>
    public IReadOnlyList<TransportWarning> Warnings { get; init; } = Array.Empty<TransportWarning>();
}

/// <summary>A warning a transport raises about a node; the run reports each one once.</summary>
internal sealed record TransportWarning(string ErrorId, string Message);

/// <summary>
/// Runs one command for one node. Implementations are per run (connections belong to the run), thread-safe,
/// and never block a thread while the command runs.
/// </summary>
internal interface ITransport
{
    /// <param name="node">The node name; <c>localhost</c> for local and delegate actions.</param>
    /// <param name="timeout">Per-node command timeout; null for none. Expiry kills the command (NodeStatus.Timeout).</param>
    /// <param name="cancellationToken">Ctrl+C: kills the command and throws OperationCanceledException.</param>
    Task<NodeOutcome> RunAsync(string node, string command, TimeSpan? timeout, CancellationToken cancellationToken);
}

/// <summary>
/// A transport that takes the whole node set of one action in one call: a gateway that serves its share of the nodes
/// itself, under its own fanout, and answers for each. A transport without it is driven node by node, each command
/// started as the run's fanout admits it.
/// </summary>
internal interface INodeSetTransport : ITransport
{
    /// <param name="nodes">The action's nodes, after filtering.</param>
    /// <param name="fanout">The action's fanout, for the transport to honour.</param>
    /// <param name="completed">Called once per node the moment its command is over (progress, journal).</param>
    /// <returns>One outcome per node, in the order of <paramref name="nodes"/>.</returns>
    Task<IReadOnlyList<NodeOutcome>> RunAllAsync(IReadOnlyList<string> nodes, string command, TimeSpan? timeout, int fanout,
        Action<string, NodeOutcome> completed, CancellationToken cancellationToken);
}
