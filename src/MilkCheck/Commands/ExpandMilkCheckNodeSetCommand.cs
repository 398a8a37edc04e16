using System.Management.Automation;
using MilkCheck.NodeSets;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Expands node set expressions (node[1-4], @compute, a,b!c) into node names.</para>
/// </summary>
[Cmdlet(VerbsData.Expand, "MilkCheckNodeSet")]
[OutputType(typeof(string))]
public sealed class ExpandMilkCheckNodeSetCommand : MilkCheckCmdletBase
{
    /// <summary>Node set expressions; each is expanded on its own, in ClusterShell's order.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[] NodeSet { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (string expression in NodeSet)
        {
            NodeSets.NodeSet? set = ParseNodeSetOrWriteError(expression);
            if (set is null)
                continue;
            // Streamed: a million-node set never exists as a million strings at once.
            foreach (string node in set)
                WriteObject(node);
        }
    }
}
