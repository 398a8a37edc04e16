using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

public sealed class GroupResolverTests
{
    private static InMemoryGroupSource Source(string name, params (string Group, string Nodes)[] groups) =>
        new(name, groups.ToDictionary(g => g.Group, g => g.Nodes));

    [Fact]
    public void None_IsUnconfigured_AndSaysNoConfigurationWasFoundAndWhereItWasLooked()
    {
        GroupResolver none = GroupResolver.None;

        Assert.False(none.IsConfigured);
        Assert.Null(none.DefaultSourceName);
        Assert.Empty(none.SourceNames);
        var error = Assert.Throws<GroupResolverException>(() => none.GetSource(null));
        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
        Assert.Contains("no node group configuration was found", error.Message);
        Assert.Contains("/etc/clustershell/groups.conf", error.Message);
        Assert.Contains("CLUSTERSHELL_CFGDIR", error.Message);
    }

    [Fact]
    public void None_RejectsNamedSourcesToo()
    {
        Assert.Equal(GroupErrorKind.UnknownSource, Assert.Throws<GroupResolverException>(() => GroupResolver.None.GetSource("x")).Kind);
        Assert.False(GroupResolver.None.TryGetSource("x", out _));
    }

    [Fact]
    public void FromSources_KeepsRegistrationOrder_AndTheFirstIsTheDefault()
    {
        var resolver = GroupResolver.FromSources([Source("b"), Source("a"), Source("c")]);

        Assert.True(resolver.IsConfigured);
        Assert.Equal(["b", "a", "c"], resolver.SourceNames);
        Assert.Equal("b", resolver.DefaultSourceName);
        Assert.Equal("b", resolver.GetSource(null).Name);
        Assert.Equal("b", resolver.GetSource("").Name);
        Assert.Equal("c", resolver.GetSource("c").Name);
    }

    [Fact]
    public void FromSources_HonoursAnExplicitDefault()
    {
        var resolver = GroupResolver.FromSources([Source("a"), Source("b")], "b");

        Assert.Equal("b", resolver.DefaultSourceName);
        Assert.True(resolver.TryGetSource(null, out IGroupSource? source));
        Assert.Equal("b", source.Name);
    }

    [Fact]
    public void FromSources_WithAnUnknownDefault_IsAConfigurationError()
    {
        var error = Assert.Throws<GroupResolverException>(() => GroupResolver.FromSources([Source("a")], "zz"));
        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
    }

    [Fact]
    public void FromSources_WithDuplicateNames_IsAConfigurationError()
    {
        var error = Assert.Throws<GroupResolverException>(() => GroupResolver.FromSources([Source("a"), Source("a")]));
        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void FromNoSources_IsUnconfigured()
    {
        Assert.False(GroupResolver.FromSources([]).IsConfigured);
    }

    [Fact]
    public void UnknownSource_IsAnError_NamingItAndListingTheKnownOnes()
    {
        var resolver = GroupResolver.FromSources([Source("roles"), Source("racks")]);

        var error = Assert.Throws<GroupResolverException>(() => resolver.GetSource("nosrc"));

        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
        Assert.Contains("'nosrc'", error.Message);
        Assert.Contains("roles, racks", error.Message);
        Assert.False(resolver.TryGetSource("nosrc", out IGroupSource? none));
        Assert.Null(none);
    }

    [Fact]
    public void SourceNames_AreCaseSensitive()
    {
        var resolver = GroupResolver.FromSources([Source("roles")]);

        Assert.False(resolver.TryGetSource("Roles", out _));
    }

    [Fact]
    public void InMemorySource_MapsListsAndOffersItsAllText()
    {
        var source = new InMemoryGroupSource("mem",
            new Dictionary<string, string> { ["b"] = "n[1-2]", ["a"] = "@b,n3" }, all: "n[1-3]");

        Assert.Equal("n[1-2]", source.Map("b"));
        Assert.Equal("", source.Map("zz"));
        Assert.Equal(["b", "a"], source.List());
        Assert.Equal("n[1-3]", source.All());
        Assert.Null(source.Reverse("n1"));
        Assert.Null(Source("x").All());
    }

    [Fact]
    public void InMemorySource_CopiesItsInput()
    {
        var groups = new Dictionary<string, string> { ["a"] = "n1" };
        var source = new InMemoryGroupSource("mem", groups);

        groups["a"] = "changed";
        groups["b"] = "n2";

        Assert.Equal("n1", source.Map("a"));
        Assert.Equal(["a"], source.List());
    }
}
