using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

public sealed class TemplateTextTests
{
    private static readonly Dictionary<string, string> Variables = new() { ["GROUP"] = "g1", ["CFGDIR"] = "/c" };

    [Theory]
    [InlineData("$GROUP", "g1")]
    [InlineData("${GROUP}x", "g1x")]
    [InlineData("$GROUPx", "$GROUPx")]
    [InlineData("$CFGDIR/groups", "/c/groups")]
    [InlineData("$UNKNOWN ${UNKNOWN}", "$UNKNOWN ${UNKNOWN}")]
    [InlineData("$$GROUP", "$GROUP")]
    [InlineData("cost $5 and $", "cost $5 and $")]
    [InlineData("${GROUP", "${GROUP")]
    [InlineData("$group", "$group")]
    public void Substitute_FollowsPythonSafeSubstitute(string template, string expected)
    {
        Assert.Equal(expected, TemplateText.Substitute(template, Variables));
    }
}

public sealed class ShellWordsTests
{
    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("'/my dir' \"$CFGDIR/x y\"", new[] { "/my dir", "$CFGDIR/x y" })]
    [InlineData(@"a\ b ""q\""x""", new[] { "a b", "q\"x" })]
    [InlineData("pre'fix'post", new[] { "prefixpost" })]
    [InlineData("   ", new string[0])]
    public void Split_FollowsPosixShlex(string text, string[] expected)
    {
        Assert.Equal(expected, ShellWords.Split(text));
    }

    [Theory]
    [InlineData("'open")]
    [InlineData("\"open")]
    [InlineData("trailing\\")]
    public void Split_RejectsUnbalancedQuoting(string text)
    {
        Assert.Throws<FormatException>(() => ShellWords.Split(text));
    }
}
