using System.Diagnostics;
using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

public sealed class UpcallGroupSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private UpcallGroupSource Local(TimeProvider? clock = null)
    {
        _dir.Write("groups.d/local.cfg", Fixtures.LocalCfg);
        const string File = "[ -f $CFGDIR/groups ] && f=$CFGDIR/groups || f=$CFGDIR/groups.d/local.cfg; ";
        return new UpcallGroupSource(
            "local",
            File + @"sed -n 's/^$GROUP:\(.*\)/\1/p' $f",
            allCommand: File + @"sed -n 's/^all:\(.*\)/\1/p' $f",
            listCommand: File + @"sed -n 's/^\([0-9A-Za-z_-]*\):.*/\1/p' $f",
            configurationDirectory: _dir.Path,
            timeProvider: clock);
    }

    [Fact]
    public void Map_RunsTheSedCommandOverLocalCfg_AndReturnsTheRawNodeSetText()
    {
        UpcallGroupSource source = Local();

        Assert.Equal("example[32-159]", source.Map("compute"));
        Assert.Equal("example0", source.Map("adm"));
    }

    [Fact]
    public void Map_JoinsWhitespaceSeparatedTokensWithCommas()
    {
        Assert.Equal("example4,example5", Local().Map("oss"));
    }

    [Fact]
    public void Map_OfAnUnknownGroupIsEmpty_NotAnError()
    {
        Assert.Equal("", Local().Map("nosuchgroup"));
    }

    [Fact]
    public void List_ReturnsTheGroupNamesInOutputOrder()
    {
        Assert.Equal(["adm", "oss", "mds", "io", "compute", "gpu", "all"], Local().List());
    }

    [Fact]
    public void All_ReturnsTheAllCommandOutput()
    {
        Assert.Equal("example[4-6,32-159]", Local().All());
    }

    [Fact]
    public void AbsentOptionalCommands_ReturnNull()
    {
        var source = new UpcallGroupSource("s", "echo a");

        Assert.Null(source.All());
        Assert.Null(source.List());
        Assert.Null(source.Reverse("node1"));
    }

    [Fact]
    public void MultiLineOutput_IsJoinedWithCommas()
    {
        var source = new UpcallGroupSource("s", "printf 'n1 n2\\n\\n  n3\\tn4\\nn[5-6]\\n'");

        Assert.Equal("n1,n2,n3,n4,n[5-6]", source.Map("g"));
    }

    [Fact]
    public void Reverse_SubstitutesNode_AndSplitsGroupNames()
    {
        var source = new UpcallGroupSource("s", "true", reverseCommand: "echo \"g-$NODE\"; echo ${NODE}x rack[1-2]");

        Assert.Equal(["g-n1", "n1x", "rack[1-2]"], source.Reverse("n1"));
    }

    [Theory]
    [InlineData("bad@name")]
    [InlineData("a,b")]
    [InlineData("x!y")]
    [InlineData("x&y")]
    [InlineData("x^y")]
    [InlineData("x*")]
    public void ListedNameWithIllegalCharacter_IsAnIllegalNameError(string name)
    {
        var source = new UpcallGroupSource("s", "true", listCommand: $"echo ok '{name}'");

        var error = Assert.Throws<GroupResolverException>(() => source.List());
        Assert.Equal(GroupErrorKind.IllegalName, error.Kind);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void FailingCommand_IsQueryFailed_WithCommandExitCodeAndStderr()
    {
        var source = new UpcallGroupSource("s", "echo boom >&2; exit 3");

        var error = Assert.Throws<GroupResolverException>(() => source.Map("g"));
        Assert.Equal(GroupErrorKind.QueryFailed, error.Kind);
        Assert.Contains("exit 3", error.Message);
        Assert.Contains("code 3", error.Message);
        Assert.Contains("boom", error.Message);
    }

    [Fact]
    public void False_AsMapCommand_IsQueryFailed()
    {
        var error = Assert.Throws<GroupResolverException>(() => new UpcallGroupSource("s", "false").Map("g"));
        Assert.Equal(GroupErrorKind.QueryFailed, error.Kind);
    }

    [Fact]
    public void MissingWorkingDirectory_IsQueryFailed()
    {
        var source = new UpcallGroupSource("s", "echo a", configurationDirectory: _dir["does-not-exist"]);

        var error = Assert.Throws<GroupResolverException>(() => source.Map("g"));
        Assert.Equal(GroupErrorKind.QueryFailed, error.Kind);
    }

    [Fact]
    public void Command_RunsInTheConfigurationDirectory_WithSourceAndCfgdirSubstituted()
    {
        var source = new UpcallGroupSource("mysrc", "pwd; echo $SOURCE ${CFGDIR}", configurationDirectory: _dir.Path);

        Assert.Equal($"{_dir.Path},mysrc,{_dir.Path}", source.Map("g"));
    }

    [Fact]
    public void UnknownVariablesAndDoubleDollar_FollowTemplateRules()
    {
        var source = new UpcallGroupSource("s", "echo '$UNKNOWN' '${ALSO}' '$$GROUP' $GROUP");

        Assert.Equal("echo '$UNKNOWN' '${ALSO}' '$GROUP' g", source.ExpandCommand(source.MapCommand, ("GROUP", "g")));
        Assert.Equal("$UNKNOWN,${ALSO},$GROUP,g", source.Map("g"));
    }

    [Fact]
    public void StandardInput_IsClosed_SoCommandsReadingItDoNotHang()
    {
        var source = new UpcallGroupSource("s", "cat; echo done");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        Assert.Equal("done", source.Map("g", timeout.Token));
    }

    [Fact]
    public void LargeOutputOnBothPipes_DoesNotDeadlock()
    {
        var source = new UpcallGroupSource("s", "seq 1 100000 >&2; seq 1 100000; seq 1 100000 >&2");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        string nodes = source.Map("g", timeout.Token);

        Assert.Equal(100000, nodes.Split(',').Length);
    }

    [Fact]
    public void Cancellation_KillsTheCommand_AndThrowsOperationCanceled()
    {
        var source = new UpcallGroupSource("s", "sleep 30; echo late");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => source.Map("g", cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Results_AreCachedUntilCacheTimeExpires()
    {
        var clock = new ManualTimeProvider();
        string counter = _dir["calls"];
        var source = new UpcallGroupSource(
            "s",
            $"echo map >> '{counter}'; echo n1",
            listCommand: $"echo list >> '{counter}'; echo g1",
            allCommand: $"echo all >> '{counter}'; echo n1 n2",
            reverseCommand: $"echo reverse >> '{counter}'; echo g1",
            cacheTime: TimeSpan.FromSeconds(10),
            timeProvider: clock);
        string[] Calls() => File.Exists(counter) ? File.ReadAllLines(counter) : [];

        for (int i = 0; i < 3; i++)
        {
            source.Map("g1");
            source.List();
            source.All();
            source.Reverse("n1");
        }

        Assert.Equal(["map", "list", "all", "reverse"], Calls());

        clock.Advance(TimeSpan.FromSeconds(10));
        source.Map("g1");
        Assert.Equal(4, Calls().Length); // exactly at expiry the entry is still valid

        clock.Advance(TimeSpan.FromSeconds(1));
        source.Map("g1");
        source.List();
        Assert.Equal(["map", "list", "all", "reverse", "map", "list"], Calls());
    }

    [Fact]
    public void MapCache_IsPerGroup_AndReverseCache_IsPerNode()
    {
        string counter = _dir["calls"];
        var source = new UpcallGroupSource("s", $"echo $GROUP >> '{counter}'; echo n-$GROUP",
            reverseCommand: $"echo $NODE >> '{counter}'; echo g-$NODE");

        Assert.Equal("n-a", source.Map("a"));
        Assert.Equal("n-b", source.Map("b"));
        Assert.Equal("n-a", source.Map("a"));
        Assert.Equal(["g-x"], source.Reverse("x"));
        Assert.Equal(["g-y"], source.Reverse("y"));
        Assert.Equal(["g-x"], source.Reverse("x"));

        Assert.Equal(["a", "b", "x", "y"], File.ReadAllLines(counter));
    }

    [Fact]
    public void ClearCache_ForcesTheNextLookupToRunAgain()
    {
        string counter = _dir["calls"];
        var source = new UpcallGroupSource("s", $"echo x >> '{counter}'; echo n1");

        source.Map("g");
        source.ClearCache();
        source.Map("g");

        Assert.Equal(2, File.ReadAllLines(counter).Length);
    }

    [Fact]
    public void FailedQueries_AreNotCached()
    {
        string flag = _dir["fail"];
        File.WriteAllText(flag, "");
        var source = new UpcallGroupSource("s", $"[ ! -f '{flag}' ] && echo n1");

        Assert.Throws<GroupResolverException>(() => source.Map("g"));
        File.Delete(flag);
        Assert.Equal("n1", source.Map("g"));
    }

    [Fact]
    public async Task ConcurrentLookups_AllSucceed()
    {
        var source = new UpcallGroupSource("s", "echo n-$GROUP");

        // Synchronous calls from pool threads: each blocks a pool thread while its pipe reads need another, so keep
        // the fan-out modest (16 on two cores takes seconds of thread injection, though it still completes).
        string[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => source.Map("g" + (i % 4)))));
        string[] asyncResults = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => source.MapAsync("h" + (i % 4))));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => "n-g" + (i % 4)), results);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => "n-h" + (i % 4)), asyncResults);
    }
}
