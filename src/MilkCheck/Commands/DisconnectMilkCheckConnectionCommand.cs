using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MilkCheck.Execution;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Closes the SSH connections this PowerShell session keeps between its runs: all of them, or
/// those of a node set. The next run logs in again.</para>
/// </summary>
/// <example><code>Disconnect-MilkCheckConnection</code></example>
/// <example><code>Disconnect-MilkCheckConnection 'node[1-10]'</code></example>
/// <example><code>Get-MilkCheckConnection | Where-Object Channels -eq 0 | Disconnect-MilkCheckConnection</code></example>
[Cmdlet(VerbsCommunications.Disconnect, "MilkCheckConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(void))]
public sealed class DisconnectMilkCheckConnectionCommand : MilkCheckCmdletBase
{
    /// <summary>The nodes whose connections close (a node set; piped ConnectionInfo objects bind by Node); all when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string[]? Node { get; set; }

    private readonly List<NodeSets.NodeSet> _nodes = new();
    private bool _all;

    protected override void ProcessRecord()
    {
        string[] expressions = (Node ?? Array.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
        if (expressions.Length == 0)
        {
            _all = true;
            return;
        }
        foreach (string expression in expressions)
        {
            if (ParseNodeSetOrWriteError(expression) is { } set)
                _nodes.Add(set);
        }
    }

    protected override void EndProcessing()
    {
        ConnectionPool? pool = SessionConnections.Existing(Runspace.DefaultRunspace);
        if (pool is null || (!_all && _nodes.Count == 0))
            return;
        NodeSets.NodeSet? nodes = _all ? null : NodeSets.NodeSet.UnionAll(_nodes);
        string target = nodes is null ? "every kept SSH connection" : $"the kept SSH connections of {nodes}";
        if (!ShouldProcess(target, "Disconnect"))
            return;
        int closed = pool.Disconnect(nodes is null ? null : nodes.Contains);
        WriteVerbose($"Closed {closed} SSH connection(s).");
    }
}
