using System.Management.Automation;
using Xunit;

namespace MilkCheck.Tests;

public sealed class NodeSetCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();

    public void Dispose() => _host.Dispose();

    private static string[] Strings(IReadOnlyList<PSObject> output) => output.Select(o => (string)o.BaseObject).ToArray();

    [Fact]
    public void Expand_WritesOneStringPerNode()
    {
        var (output, errors) = _host.Run("Expand-MilkCheckNodeSet 'node[1-3]'");
        Assert.Empty(errors);
        Assert.Equal(new[] { "node1", "node2", "node3" }, Strings(output));
        Assert.All(output, o => Assert.IsType<string>(o.BaseObject));
    }

    [Fact]
    public void Expand_TakesPipelineInputAndKeepsItsOrder()
    {
        var (output, _) = _host.Run("'n[1-2]','m1' | Expand-MilkCheckNodeSet");
        Assert.Equal(new[] { "n1", "n2", "m1" }, Strings(output));
    }

    [Fact]
    public void Expand_BindsTheNodeSetPropertyOfPipedObjects()
    {
        var (output, _) = _host.Run("[pscustomobject]@{ NodeSet = 'a[1-2]' } | Expand-MilkCheckNodeSet");
        Assert.Equal(new[] { "a1", "a2" }, Strings(output));
    }

    [Fact]
    public void Expand_ReportsABadExpressionAndGoesOn()
    {
        var (output, errors) = _host.Run("Expand-MilkCheckNodeSet 'nova[3-59/2,,102]','ok1'");
        Assert.Equal(new[] { "ok1" }, Strings(output));
        ErrorRecord error = Assert.Single(errors);
        Assert.StartsWith("MilkCheck.NodeSetInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal("nova[3-59/2,,102]", error.TargetObject);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("position 13", error.ToString());
    }

    [Fact]
    public void Compress_FoldsEverythingPipedIntoOneString()
    {
        var (output, errors) = _host.Run("'node1','node2','node3' | Compress-MilkCheckNodeSet");
        Assert.Empty(errors);
        Assert.Equal(new[] { "node[1-3]" }, Strings(output));
    }

    [Fact]
    public void Compress_SortsPatternsAsClusterShell()
    {
        var (output, _) = _host.Run("Compress-MilkCheckNodeSet 'b2','b1','a'");
        Assert.Equal(new[] { "a,b[1-2]" }, Strings(output));
    }

    [Fact]
    public void Compress_ReportsABadItemAndFoldsTheOthers()
    {
        var (output, errors) = _host.Run("Compress-MilkCheckNodeSet 'a1','bad[','a2'");
        Assert.Equal(new[] { "a[1-2]" }, Strings(output));
        ErrorRecord error = Assert.Single(errors);
        Assert.StartsWith("MilkCheck.NodeSetInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal("bad[", error.TargetObject);
    }

    [Fact]
    public void Compress_BindsTheNameProperty()
    {
        var (output, _) = _host.Run("[pscustomobject]@{ Name = 'x1' }, [pscustomobject]@{ Name = 'x2' } | Compress-MilkCheckNodeSet");
        Assert.Equal(new[] { "x[1-2]" }, Strings(output));
    }

    [Fact]
    public void UnknownGroupSource_IsANodeSetInvalidError()
    {
        // Fails the same way with or without a ClusterShell configuration on the machine.
        var (output, errors) = _host.Run("Expand-MilkCheckNodeSet '@milkcheck-no-such-source:compute','n1'");
        Assert.Equal(new[] { "n1" }, Strings(output));
        ErrorRecord error = Assert.Single(errors);
        Assert.StartsWith("MilkCheck.NodeSetInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Cmdlets_DeclareStringOutput()
    {
        var (output, _) = _host.Run("(Get-Command Expand-MilkCheckNodeSet).OutputType.Type.FullName; (Get-Command Compress-MilkCheckNodeSet).OutputType.Type.FullName");
        Assert.Equal(new[] { "System.String", "System.String" }, Strings(output));
    }
}
