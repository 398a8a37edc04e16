using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MilkCheck.Execution;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Lists the SSH connections this PowerShell session keeps open between its runs
/// (connection_persist in milkcheck.conf).</para>
/// </summary>
/// <example><code>Get-MilkCheckConnection</code></example>
/// <example><code>Get-MilkCheckConnection -Node 'io[1-4]'</code></example>
[Cmdlet(VerbsCommon.Get, "MilkCheckConnection")]
[OutputType(typeof(ConnectionInfo))]
public sealed class GetMilkCheckConnectionCommand : MilkCheckCmdletBase
{
    /// <summary>Only the connections of these nodes (a node set); all when omitted.</summary>
    [Parameter(Position = 0)]
    public string[]? Node { get; set; }

    protected override void EndProcessing()
    {
        NodeSets.NodeSet? nodes = null;
        string[] expressions = (Node ?? Array.Empty<string>()).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
        if (expressions.Length > 0)
        {
            var sets = new List<NodeSets.NodeSet>();
            foreach (string expression in expressions)
            {
                NodeSets.NodeSet? set = ParseNodeSet(expression, out ErrorRecord? error);
                if (error is not null || set is null)
                    ThrowTerminatingError(error!);
                sets.Add(set!);
            }
            nodes = NodeSets.NodeSet.UnionAll(sets);
        }
        ConnectionPool? pool = SessionConnections.Existing(Runspace.DefaultRunspace);
        if (pool is null)
            return;
        foreach (ConnectionInfo connection in pool.Connections())
        {
            if (nodes is null || nodes.Contains(connection.Node))
                WriteObject(connection);
        }
    }
}
