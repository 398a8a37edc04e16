using System.Management.Automation;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Folds node names or node set expressions into one ClusterShell node set string.</para>
/// </summary>
[Cmdlet(VerbsData.Compress, "MilkCheckNodeSet")]
[OutputType(typeof(string))]
public sealed class CompressMilkCheckNodeSetCommand : MilkCheckCmdletBase
{
    private readonly List<NodeSets.NodeSet> _sets = new();

    /// <summary>Names or expressions; everything piped in is folded into a single string.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [AllowEmptyString]
    public string[] Node { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        // Each item is parsed alone so that one bad item is reported and the others still fold.
        foreach (string item in Node)
            if (ParseNodeSetOrWriteError(item) is { } set)
                _sets.Add(set);
    }

    protected override void EndProcessing()
    {
        WriteObject(NodeSets.NodeSet.UnionAll(_sets).ToString());
    }
}
