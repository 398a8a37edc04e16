using MilkCheck.Engine.Tests.Groups;
using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.NodeSets;

/// <summary>Group references inside node set expressions, against real groups.conf configurations.</summary>
public sealed class NodeSetGroupTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly GroupResolver _resolver;

    public NodeSetGroupTests()
    {
        _dir.Write("groups.d/cluster.yaml", Fixtures.ClusterYaml);
        _dir.Write("groups.d/local.cfg", Fixtures.LocalCfg);
        string conf = _dir.Write("groups.conf", "[Main]\ndefault: local\nautodir: $CFGDIR/groups.d\n\n" + Fixtures.LocalSection + "\n");
        _resolver = GroupResolver.LoadFile(conf);
    }

    public void Dispose() => _dir.Dispose();

    private string Fold(string text) => NodeSet.Parse(text, _resolver).ToString();

    [Fact]
    public void Group_ResolvesInTheDefaultSource() => Assert.Equal("example[4-5]", Fold("@oss"));

    [Fact]
    public void SourcePrefix_SelectsTheSource() => Assert.Equal("example[32-159]", Fold("@roles:compute"));

    [Fact]
    public void NestedReferences_ResolveInTheSourceOfTheGroupBeingExpanded() =>
        Assert.Equal("example[0-1,6-10]", Fold("@racks:old"));

    [Fact]
    public void GroupNamePatterns_ExpandToSeveralGroups() =>
        Assert.Equal("example[0-5]", Fold("@racks:rack[1-2]"));

    [Fact]
    public void GroupsCombineWithOperators()
    {
        Assert.Equal("example[156-159]", Fold("@local:compute&@roles:gpu"));
        Assert.Equal("example[4-5]", Fold("@io!@mds"));
        Assert.Equal("example[32-155]", Fold("@roles:compute!@roles:gpu"));
    }

    [Fact]
    public void AllNodes_UsesTheAllGroup()
    {
        Assert.Equal("example[0-2,32-159]", Fold("@roles:*"));
        Assert.Equal("example[4-6,32-159]", Fold("@*"));
    }

    [Fact]
    public void AllNodesWithoutAnAllGroup_IsTheUnionOfTheGroups() =>
        Assert.Equal("example[2,4-5,32-159]", Fold("@cpu:*"));

    [Fact]
    public void DoubleAt_ListsGroupNames()
    {
        Assert.Equal("new,old,rack[1-5]", Fold("@@racks"));
        Assert.Equal("hsw,ivy,sandy", Fold("@@cpu"));
        Assert.Equal("adm,all,compute,gpu,login", Fold("@@roles"));
    }

    [Fact]
    public void UnknownGroup_IsEmpty() => Assert.Equal(string.Empty, Fold("@unknowngroup"));

    [Fact]
    public void UnknownSource_IsASourceError()
    {
        var error = Assert.Throws<GroupResolverException>(() => Fold("@nosrc:foo"));
        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
    }

    [Fact]
    public void WildcardMask_MatchesAllNodesOfTheDefaultSource()
    {
        Assert.Equal("example[4-6]", Fold("example?"));
        Assert.Equal("example[32-39]", Fold("example3*"));
        Assert.Equal("example[4-6,32-99]", Fold("example?,example[3-9]*"));
    }

    [Fact]
    public void SelfReferencingGroups_AreReportedWithTheirPath()
    {
        var source = new InMemoryGroupSource("loop", new Dictionary<string, string> { ["a"] = "@b", ["b"] = "n1,@a" });
        var resolver = GroupResolver.FromSources(new[] { source });
        var error = Assert.Throws<GroupResolverException>(() => NodeSet.Parse("@a", resolver));
        Assert.Equal(GroupErrorKind.Recursion, error.Kind);
        Assert.Contains("@loop:a -> @loop:b -> @loop:a", error.Message);
    }

    [Fact]
    public void FailingUpcall_IsAQueryFailure()
    {
        string conf = _dir.Write("broken/groups.conf", "[broken]\nmap: false\n");
        var resolver = GroupResolver.LoadFile(conf);
        var error = Assert.Throws<GroupResolverException>(() => NodeSet.Parse("@broken:x", resolver));
        Assert.Equal(GroupErrorKind.QueryFailed, error.Kind);
    }
}
