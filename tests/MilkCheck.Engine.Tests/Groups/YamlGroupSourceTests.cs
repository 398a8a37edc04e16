using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

public sealed class YamlGroupSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IReadOnlyDictionary<string, YamlGroupSource> Load(string yaml, TimeProvider? clock = null, TimeSpan? cacheTime = null) =>
        YamlGroupSource.LoadFile(_dir.Write("cluster.yaml", yaml), cacheTime, clock).ToDictionary(s => s.Name);

    private GroupResolverException LoadFails(string yaml) =>
        Assert.Throws<GroupResolverException>(() => Load(yaml));

    [Fact]
    public void EachTopLevelKey_IsASource_InFileOrder()
    {
        IReadOnlyList<YamlGroupSource> sources = YamlGroupSource.LoadFile(_dir.Write("c.yaml", Fixtures.ClusterYaml));

        Assert.Equal(["roles", "racks", "cpu"], sources.Select(s => s.Name));
        Assert.All(sources, s => Assert.Equal(_dir["c.yaml"], s.FilePath));
    }

    [Fact]
    public void Map_ReturnsTheRawText_IncludingNestedGroupReferences()
    {
        var sources = Load(Fixtures.ClusterYaml);

        Assert.Equal("@rack[1,3]", sources["racks"].Map("old"));
        Assert.Equal("example[200-205,245,300,401-406]", sources["racks"].Map("rack5"));
        Assert.Equal("example[64-159]", sources["cpu"].Map("hsw"));
        Assert.Equal("", sources["cpu"].Map("unknowngroup"));
    }

    [Fact]
    public void List_IsTheGroupNames_IncludingAll()
    {
        var sources = Load(Fixtures.ClusterYaml);

        Assert.Equal(["adm", "login", "compute", "gpu", "all"], sources["roles"].List());
        Assert.Equal(["rack1", "rack2", "rack3", "rack4", "rack5", "old", "new"], sources["racks"].List());
    }

    [Fact]
    public void All_IsTheGroupNamedAll_WhenPresent()
    {
        Assert.Equal("example[0-2,32-159]", Load(Fixtures.ClusterYaml)["roles"].All());
    }

    [Fact]
    public void All_WithoutAnAllGroup_IsEveryGroupJoinedWithCommas()
    {
        Assert.Equal("example[32-63],example[64-159],example[2,4-5]", Load(Fixtures.ClusterYaml)["cpu"].All());
    }

    [Fact]
    public void All_IsNull_WhenJoiningWouldChangeAnOperatorsMeaning()
    {
        var sources = Load("""
            s:
                compute: 'n[1-10]'
                cpu_only: '@compute!@gpu'
                gpu: 'n[9-10]'
            """);

        Assert.Null(sources["s"].All());
    }

    [Fact]
    public void Reverse_IsAlwaysNull()
    {
        Assert.Null(Load(Fixtures.ClusterYaml)["racks"].Reverse("example0"));
    }

    [Fact]
    public void NullTildeAndEmptyValues_AreEmptyGroups()
    {
        var sources = Load("""
            s:
                a:
                b: ~
                c: null
                d: ''
                e: 'n1'
            """);

        Assert.All(new[] { "a", "b", "c", "d" }, g => Assert.Equal("", sources["s"].Map(g)));
        Assert.Equal(["a", "b", "c", "d", "e"], sources["s"].List());
        Assert.Equal("n1", sources["s"].All());
    }

    [Fact]
    public void SequenceValues_AreJoinedWithCommas()
    {
        var sources = Load("""
            s:
                a: ['n1', 'n[2-3]']
                b:
                  - '@a'
                  - 'x1'
            """);

        Assert.Equal("n1,n[2-3]", sources["s"].Map("a"));
        Assert.Equal("@a,x1", sources["s"].Map("b"));
    }

    [Theory]
    [InlineData("s:\n    111: 'n1'\n", "111")]
    [InlineData("222:\n    g: 'n1'\n", "222")]
    [InlineData("s:\n    0x1f: 'n1'\n", "0x1f")]
    [InlineData("s:\n    1.5: 'n1'\n", "1.5")]
    [InlineData("s:\n    true: 'n1'\n", "true")]
    public void UnquotedNonStringName_IsAConfigurationError_AskingToQuoteIt(string yaml, string name)
    {
        var error = LoadFails(yaml);

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains(_dir["cluster.yaml"], error.Message);
        Assert.Contains(name, error.Message);
        Assert.Contains("quote", error.Message);
    }

    [Fact]
    public void QuotedNumericNames_AreFine()
    {
        var sources = Load("'222':\n    '111': 'n1'\n    \"333\": n3\n    !!str 444: n4\n");

        Assert.Equal("n1", sources["222"].Map("111"));
        Assert.Equal(["111", "333", "444"], sources["222"].List());
    }

    [Fact]
    public void SyntaxError_IsAConfigurationError_WithLineAndColumn()
    {
        var error = LoadFails("s:\n    a: 'n1'\n    b: [unclosed\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(_dir["cluster.yaml"])}:\d+:\d+: ", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("- a\n- b\n")]
    [InlineData("just text\n")]
    public void RootThatIsNotAMapping_IsAConfigurationError(string yaml)
    {
        Assert.Equal(GroupErrorKind.Configuration, LoadFails(yaml).Kind);
    }

    [Fact]
    public void SourceThatIsNotAMapping_IsAConfigurationError_NamingIt()
    {
        var error = LoadFails("good:\n    a: n1\nbad: 'n1'\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("'bad'", error.Message);
        Assert.Contains(":3:", error.Message);
    }

    [Fact]
    public void NestedMappingAsGroupValue_IsAConfigurationError()
    {
        Assert.Equal(GroupErrorKind.Configuration, LoadFails("s:\n    a:\n        b: n1\n").Kind);
    }

    [Fact]
    public void File_IsReloadedOnlyAfterCacheTime_AndNewSourcesAreIgnored()
    {
        var clock = new ManualTimeProvider();
        var sources = Load("s:\n    a: 'n1'\n", clock, TimeSpan.FromSeconds(60));
        _dir.Write("cluster.yaml", "s:\n    a: 'n2'\n    b: 'n3'\nadded:\n    c: 'n4'\n");

        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("n1", sources["s"].Map("a"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("n2", sources["s"].Map("a"));
        Assert.Equal(["a", "b"], sources["s"].List());
        Assert.False(sources.ContainsKey("added"));
    }

    [Fact]
    public void SourcesOfOneFile_ShareOneReload()
    {
        var clock = new ManualTimeProvider();
        var sources = Load("x:\n    a: 'n1'\ny:\n    b: 'm1'\n", clock, TimeSpan.FromSeconds(5));
        _dir.Write("cluster.yaml", "x:\n    a: 'n2'\ny:\n    b: 'm2'\n");

        clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal("n2", sources["x"].Map("a"));
        Assert.Equal("m2", sources["y"].Map("b"));
    }

    [Fact]
    public void BrokenFileOnReload_IsReported_AndRetriedOnceFixed()
    {
        var clock = new ManualTimeProvider();
        var sources = Load("s:\n    a: 'n1'\n", clock, TimeSpan.FromSeconds(5));
        _dir.Write("cluster.yaml", "s:\n    a: [broken\n");
        clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(GroupErrorKind.Configuration, Assert.Throws<GroupResolverException>(() => sources["s"].Map("a")).Kind);

        _dir.Write("cluster.yaml", "s:\n    a: 'n9'\n");
        Assert.Equal("n9", sources["s"].Map("a"));
    }

    [Fact]
    public void ClearCache_RereadsTheFileAtOnce()
    {
        var sources = Load("s:\n    a: 'n1'\n");
        _dir.Write("cluster.yaml", "s:\n    a: 'n2'\n");

        sources["s"].ClearCache();

        Assert.Equal("n2", sources["s"].Map("a"));
    }

    [Fact]
    public void MissingFile_IsAConfigurationError()
    {
        var error = Assert.Throws<GroupResolverException>(() => YamlGroupSource.LoadFile(_dir["none.yaml"]));
        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
    }

    [Fact]
    public void ABillionLaughsGroupFile_IsAPositionedErrorNotAnOutOfMemory()
    {
        string yaml = MilkCheck.Engine.Tests.Hostile.HostileConfigurationTests.BillionLaughs("roles:\n  all: *l8\n");
        GroupResolverException error = LoadFails(yaml);
        Assert.Contains("cluster.yaml:", error.Message);
        Assert.Contains("alias", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ADeeplyNestedGroupFile_IsAPositionedErrorNotAStackOverflow()
    {
        GroupResolverException error = LoadFails("roles:\n  adm: " + new string('[', 30_000) + "\n");
        Assert.Contains("cluster.yaml:2:", error.Message);
    }

    [Fact]
    public void AGroupDefinedTwice_IsAnErrorAtTheSecond()
    {
        GroupResolverException error = LoadFails("roles:\n  adm: n1\n  adm: n2\n");
        Assert.StartsWith(_dir["cluster.yaml"] + ":3:", error.Message);
        Assert.Contains("'adm'", error.Message);
    }
}
