using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

/// <summary>groups.conf loading. Every test uses its own directory; none reads the machine's /etc.</summary>
public sealed class GroupConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private GroupResolver LoadMain(string groupsConf) => GroupResolver.LoadFile(_dir.Write("groups.conf", groupsConf));

    private GroupResolverException LoadMainFails(string groupsConf) =>
        Assert.Throws<GroupResolverException>(() => LoadMain(groupsConf));

    [Fact]
    public void BundledLocalSource_ResolvesGroupsFromLocalCfg()
    {
        _dir.Write("groups.d/local.cfg", Fixtures.LocalCfg);
        var resolver = LoadMain("[Main]\ndefault: local\n\n" + Fixtures.LocalSection);

        IGroupSource local = resolver.GetSource(null);

        Assert.Equal("local", local.Name);
        Assert.Equal("example[156-159]", local.Map("gpu"));
        Assert.Equal("example4,example5", local.Map("oss"));
        Assert.Equal("", local.Map("unknowngroup"));
        Assert.Equal("example[4-6,32-159]", local.All());
        Assert.Equal(["adm", "oss", "mds", "io", "compute", "gpu", "all"], local.List());
        Assert.Null(local.Reverse("example0"));
    }

    [Fact]
    public void ExplicitGroupsFile_TakesPrecedenceOverLocalCfg_InTheBundledCommand()
    {
        _dir.Write("groups.d/local.cfg", Fixtures.LocalCfg);
        _dir.Write("groups", "adm: other0\n");
        var resolver = LoadMain(Fixtures.LocalSection);

        Assert.Equal("other0", resolver.GetSource("local").Map("adm"));
    }

    [Fact]
    public void CommentsContinuationAndBothDelimiters_AreUnderstood()
    {
        var resolver = LoadMain("""
            # groups.conf
            ; another comment style
            [Main]
            default = s

            [s]
            # the map command spans two lines
            map: echo n1;
               echo n2
            LIST = echo g1 g2
            """);

        IGroupSource source = resolver.GetSource("s");
        Assert.Equal("n1,n2", source.Map("g"));
        Assert.Equal(["g1", "g2"], source.List());
    }

    [Fact]
    public void GroupedSection_DefinesOneSourcePerName_TellingThemApartWithSource()
    {
        var resolver = LoadMain("[a,b, c]\nmap: echo $SOURCE-$GROUP\nlist: echo ${SOURCE}1\n");

        Assert.Equal(["a", "b", "c"], resolver.SourceNames);
        Assert.Equal("a-x", resolver.GetSource("a").Map("x"));
        Assert.Equal("b-x", resolver.GetSource("b").Map("x"));
        Assert.Equal(["c1"], resolver.GetSource("c").List());
    }

    [Fact]
    public void MainFileSources_RunInCfgdir()
    {
        var resolver = LoadMain("[s]\nmap: pwd; echo $CFGDIR\n");

        var source = Assert.IsType<UpcallGroupSource>(resolver.GetSource("s"));
        Assert.Equal(_dir.Path, source.ConfigurationDirectory);
        Assert.Equal($"{_dir.Path},{_dir.Path}", source.Map("g"));
    }

    [Fact]
    public void Confdir_WithCfgdirAndQuoting_AddsTheSourcesOfEachConfFile_InSortedOrder()
    {
        _dir.Write("my conf.d/b.conf", "[fromb]\nmap: echo b-$GROUP; pwd | tr ' ' _\n");
        _dir.Write("my conf.d/a.conf", "[froma1,froma2]\nmap: echo a\n[Main]\nignored: yes\n");
        _dir.Write("my conf.d/notes.txt", "[nope]\nmap: echo no\n");
        _dir.Write("my conf.d/.hidden.conf", "[hidden]\nmap: echo no\n");

        var resolver = LoadMain("[Main]\nconfdir: '$CFGDIR/my conf.d' \"$CFGDIR/my conf.d\" $CFGDIR/missing.d\n[main1]\nmap: echo m\n");

        Assert.Equal(["froma1", "froma2", "fromb", "main1"], resolver.SourceNames);
        Assert.Equal("froma1", resolver.DefaultSourceName);
        // Upstream runs confdir sources in (and with $CFGDIR set to) the confdir itself.
        Assert.Equal($"b-g,{_dir["my_conf.d"]}", resolver.GetSource("fromb").Map("g"));
        Assert.Equal(_dir["my conf.d"], ((UpcallGroupSource)resolver.GetSource("fromb")).ConfigurationDirectory);
    }

    [Fact]
    public void GroupsdirAlias_IsUsedLikeConfdir()
    {
        _dir.Write("parts/x.conf", "[x]\nmap: echo x\n");

        var resolver = LoadMain("[Main]\ngroupsdir: $CFGDIR/parts\n");

        Assert.Equal(["x"], resolver.SourceNames);
    }

    [Fact]
    public void RelativeConfdir_IsTakenFromCfgdir()
    {
        _dir.Write("parts/x.conf", "[x]\nmap: echo x\n");

        Assert.Equal(["x"], LoadMain("[Main]\nconfdir: parts\n").SourceNames);
    }

    [Fact]
    public void ConfdirNamingAFile_IsAConfigurationError()
    {
        _dir.Write("afile", "");

        var error = LoadMainFails("[Main]\nconfdir: $CFGDIR/afile\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("not a directory", error.Message);
    }

    [Fact]
    public void UnbalancedQuoteInConfdir_IsAConfigurationError_WithTheLine()
    {
        var error = LoadMainFails("[Main]\nconfdir: '$CFGDIR/x\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains(":2:", error.Message);
    }

    [Fact]
    public void Autodir_AddsYamlSources_AfterConfdirAndBeforeMainSections()
    {
        _dir.Write("groups.d/cluster.yaml", Fixtures.ClusterYaml);
        _dir.Write("groups.d/another.yaml", "extra:\n    g: 'x1'\n");
        _dir.Write("groups.d/ignored.yml", "nope:\n    g: 'x1'\n");
        _dir.Write("groups.conf.d/parts.conf", "[part]\nmap: echo p\n");

        var resolver = LoadMain("""
            [Main]
            autodir: $CFGDIR/groups.d
            confdir: $CFGDIR/groups.conf.d
            [zlast]
            map: echo z
            """);

        Assert.Equal(["part", "extra", "roles", "racks", "cpu", "zlast"], resolver.SourceNames);
        Assert.Equal("@rack[1,3]", resolver.GetSource("racks").Map("old"));
        Assert.Equal("example[0-2,32-159]", resolver.GetSource("roles").All());
        Assert.IsType<YamlGroupSource>(resolver.GetSource("cpu"));
    }

    [Fact]
    public void InvalidYamlInAutodir_IsAConfigurationError()
    {
        _dir.Write("groups.d/bad.yaml", "s:\n    111: 'n1'\n");

        var error = LoadMainFails("[Main]\nautodir: $CFGDIR/groups.d\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("bad.yaml:2:", error.Message);
    }

    [Fact]
    public void DefaultUnset_IsTheFirstRegisteredSource()
    {
        _dir.Write("d/x.conf", "[fromconfdir]\nmap: echo x\n");

        var resolver = LoadMain("[Main]\nconfdir: $CFGDIR/d\n[main1]\nmap: echo m\n");

        Assert.Equal("fromconfdir", resolver.DefaultSourceName);
    }

    [Fact]
    public void DefaultEmpty_IsAllowed_AndMeansTheFirstSource()
    {
        Assert.Equal("a", LoadMain("[Main]\ndefault:\n[a]\nmap: echo a\n[b]\nmap: echo b\n").DefaultSourceName);
    }

    [Fact]
    public void DefaultNamed_IsUsedForUnprefixedGroups()
    {
        var resolver = LoadMain("[Main]\ndefault: b\n[a]\nmap: echo a\n[b]\nmap: echo b\n");

        Assert.Equal("b", resolver.DefaultSourceName);
        Assert.Equal("b", resolver.GetSource(null).Map("g"));
    }

    [Fact]
    public void DefaultNamingNoSource_IsAConfigurationError_ListingTheSources()
    {
        var error = LoadMainFails("[Main]\ndefault: nosuch\n[a]\nmap: echo a\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("groups.conf:2:", error.Message);
        Assert.Contains("'nosuch'", error.Message);
        Assert.Contains("a", error.Message);
    }

    [Fact]
    public void MissingMap_IsAConfigurationError_NamingFileAndSection()
    {
        var error = LoadMainFails("[Main]\n[ok]\nmap: echo\n\n[broken]\nlist: echo g\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains(_dir["groups.conf"] + ":5:", error.Message);
        Assert.Contains("[broken]", error.Message);
        Assert.Contains("map", error.Message);
    }

    [Fact]
    public void DuplicateSourceAcrossConfdirAndMainFile_IsAConfigurationError_NamingBothPlaces()
    {
        _dir.Write("d/x.conf", "[dup]\nmap: echo x\n");

        var error = LoadMainFails("[Main]\nconfdir: $CFGDIR/d\n[dup]\nmap: echo m\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("'dup'", error.Message);
        Assert.Contains("x.conf", error.Message);
        Assert.Contains("groups.conf:3", error.Message);
    }

    [Fact]
    public void DuplicateSourceBetweenYamlAndMainFile_IsAConfigurationError()
    {
        _dir.Write("groups.d/c.yaml", Fixtures.ClusterYaml);

        var error = LoadMainFails("[Main]\nautodir: $CFGDIR/groups.d\n[roles]\nmap: echo m\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("'roles'", error.Message);
    }

    [Fact]
    public void CacheTime_IsReadAsFloatSeconds_DefaultingTo3600()
    {
        var resolver = LoadMain("[a]\nmap: echo a\ncache_time: 2.5\n[b]\nmap: echo b\n[c]\nmap: echo c\ncache_time: 1e3\n");

        Assert.Equal(TimeSpan.FromSeconds(2.5), ((UpcallGroupSource)resolver.GetSource("a")).CacheTime);
        Assert.Equal(TimeSpan.FromSeconds(3600), ((UpcallGroupSource)resolver.GetSource("b")).CacheTime);
        Assert.Equal(TimeSpan.FromSeconds(1000), ((UpcallGroupSource)resolver.GetSource("c")).CacheTime);
    }

    [Fact]
    public void InvalidCacheTime_IsAConfigurationError_WithTheLine()
    {
        var error = LoadMainFails("[a]\nmap: echo a\ncache_time: soon\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("groups.conf:3:", error.Message);
    }

    [Fact]
    public void CacheTimeFromConfiguration_IsHonouredWithTheInjectedClock()
    {
        string counter = _dir["calls"];
        _dir.Write("groups.conf", $"[s]\nmap: echo x >> '{counter}'; echo n1\ncache_time: 30\n");
        var clock = new ManualTimeProvider();
        IGroupSource source = GroupResolver.LoadFile(_dir["groups.conf"], clock).GetSource("s");

        source.Map("g");
        clock.Advance(TimeSpan.FromSeconds(20));
        source.Map("g");
        Assert.Single(File.ReadAllLines(counter));

        clock.Advance(TimeSpan.FromSeconds(11));
        source.Map("g");
        Assert.Equal(2, File.ReadAllLines(counter).Length);
    }

    [Fact]
    public void SeveralFiles_AreAllRead_LaterOnesOverridingKeys_AndCfgdirIsTheLastOnesDirectory()
    {
        string first = _dir.Write("etc/groups.conf", "[Main]\ndefault: s\n[s]\nmap: echo one\nlist: echo g\n[only1]\nmap: echo o\n");
        string second = _dir.Write("home/groups.conf", "[s]\nmap: echo two $CFGDIR\n");

        var resolver = GroupResolver.Load(new GroupConfigurationLocations([first, _dir["missing/groups.conf"], second]));

        Assert.Equal([first, second], resolver.ConfigurationFiles);
        Assert.Equal(["s", "only1"], resolver.SourceNames);
        Assert.Equal("s", resolver.DefaultSourceName);
        Assert.Equal($"two,{_dir["home"]}", resolver.GetSource("s").Map("g"));
        Assert.Equal(["g"], resolver.GetSource("s").List());
        // Every source of the merged file runs in the last file's directory, even those from earlier files.
        Assert.Equal(_dir["home"], ((UpcallGroupSource)resolver.GetSource("only1")).ConfigurationDirectory);
    }

    [Fact]
    public void ClusterShellCfgdir_HasTheHighestPriority()
    {
        _dir.Write("sys/groups.conf", "[s]\nmap: echo sys\n");
        _dir.Write("home/.local/etc/clustershell/groups.conf", "[s]\nmap: echo local\n");
        _dir.Write("xdg/clustershell/groups.conf", "[s]\nmap: echo xdg\n");
        _dir.Write("cfgdir/groups.conf", "[s]\nmap: echo cfgdir\n");
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = _dir["home"],
            ["XDG_CONFIG_HOME"] = _dir["xdg"],
            ["CLUSTERSHELL_CFGDIR"] = _dir["cfgdir"],
        };

        var withCfgdir = GroupResolver.Load(GroupConfigurationLocations.FromEnvironment(env, _dir["sys"]));
        env.Remove("CLUSTERSHELL_CFGDIR");
        var withoutCfgdir = GroupResolver.Load(GroupConfigurationLocations.FromEnvironment(env, _dir["sys"]));
        env.Remove("XDG_CONFIG_HOME");
        var homeOnly = GroupResolver.Load(GroupConfigurationLocations.FromEnvironment(env, _dir["sys"]));

        Assert.Equal("cfgdir", withCfgdir.GetSource("s").Map("g"));
        Assert.Equal(4, withCfgdir.ConfigurationFiles.Count);
        Assert.Equal("xdg", withoutCfgdir.GetSource("s").Map("g"));
        Assert.Equal("local", homeOnly.GetSource("s").Map("g"));
    }

    [Fact]
    public void NoFileFound_GivesAnUnconfiguredResolver_WhoseErrorListsTheSearchedPaths()
    {
        string[] candidates = [_dir["a/groups.conf"], _dir["b/groups.conf"]];

        var resolver = GroupResolver.Load(new GroupConfigurationLocations(candidates));

        Assert.False(resolver.IsConfigured);
        Assert.Equal(candidates, resolver.SearchedPaths);
        var error = Assert.Throws<GroupResolverException>(() => resolver.GetSource(null));
        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
        Assert.Contains("no node group configuration was found", error.Message);
        Assert.Contains(candidates[0], error.Message);
        Assert.Contains(candidates[1], error.Message);
    }

    [Fact]
    public void FileWithoutSources_IsUnconfigured_AndSaysSo()
    {
        var resolver = LoadMain("[Main]\n# nothing yet\n");

        Assert.False(resolver.IsConfigured);
        var error = Assert.Throws<GroupResolverException>(() => resolver.GetSource("x"));
        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
        Assert.Contains("defines no group source", error.Message);
    }

    [Fact]
    public void UnknownSourceFromConfiguration_IsAnUnknownSourceError()
    {
        var error = Assert.Throws<GroupResolverException>(() => LoadMain("[a]\nmap: echo a\n").GetSource("nosrc"));

        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
        Assert.Contains("'nosrc'", error.Message);
    }

    [Fact]
    public void FailingMapFromConfiguration_IsQueryFailed()
    {
        var error = Assert.Throws<GroupResolverException>(() => LoadMain("[broken]\nmap: false\n").GetSource("broken").Map("g"));

        Assert.Equal(GroupErrorKind.QueryFailed, error.Kind);
    }

    [Fact]
    public void SyntaxErrorInAConfdirFile_IsReportedWithThatFileAndLine()
    {
        _dir.Write("d/bad.conf", "[x]\nmap: echo\noops\n");

        var error = LoadMainFails("[Main]\nconfdir: $CFGDIR/d\n");

        Assert.StartsWith(_dir["d/bad.conf"] + ":3:", error.Message);
    }

    [Fact]
    public void LoadFile_OfAMissingFile_IsAConfigurationError()
    {
        var error = Assert.Throws<GroupResolverException>(() => GroupResolver.LoadFile(_dir["nope.conf"]));

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
    }

    [Fact]
    public void Load_HonoursCancellation()
    {
        _dir.Write("groups.conf", "[a]\nmap: echo a\n");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            GroupResolver.Load(new GroupConfigurationLocations([_dir["groups.conf"]]), cancellationToken: cancelled.Token));
    }
}
