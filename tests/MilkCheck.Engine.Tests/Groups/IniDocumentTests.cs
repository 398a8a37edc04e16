using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.Groups;

public sealed class IniDocumentTests
{
    private static IniDocument Parse(string text) => IniDocument.Parse("/x/groups.conf", text.ReplaceLineEndings("\n"));

    private static GroupResolverException ParseFails(string text) =>
        Assert.Throws<GroupResolverException>(() => Parse(text));

    [Fact]
    public void ColonAndEquals_BothSeparateKeyFromValue_AtTheFirstDelimiter()
    {
        var doc = Parse("[s]\nmap: echo a=b\nall = echo c:d\n");

        Assert.Equal("echo a=b", doc.Get("s", "map")!.Text);
        Assert.Equal("echo c:d", doc.Get("s", "all")!.Text);
    }

    [Fact]
    public void CommentLines_AreIgnored_ButInlineHashIsPartOfTheValue()
    {
        var doc = Parse("# top\n; also\n[s]\n  # indented comment\nmap: echo a # not a comment\n");

        Assert.Equal("echo a # not a comment", doc.Get("s", "map")!.Text);
        Assert.Single(doc.Sections);
    }

    [Fact]
    public void IndentedLines_ContinueThePreviousValue()
    {
        var doc = Parse("[s]\nmap: first\n   second\n\n\tthird\nall: x\n");

        Assert.Equal("first\nsecond\n\nthird", doc.Get("s", "map")!.Text);
        Assert.Equal("x", doc.Get("s", "all")!.Text);
    }

    [Fact]
    public void Keys_AreCaseInsensitive_AndWhitespaceIsTrimmed()
    {
        var doc = Parse("[s]\n  MAP   :   echo a   \n");

        Assert.Equal("echo a", doc.Get("s", "map")!.Text);
    }

    [Fact]
    public void SectionNames_AreCaseSensitive()
    {
        var doc = Parse("[Main]\ndefault: a\n[main]\nmap: x\n");

        Assert.Equal(["Main", "main"], doc.Sections.Select(s => s.Name));
    }

    [Fact]
    public void DefaultSection_IsInheritedByEverySection()
    {
        var doc = Parse("[DEFAULT]\ncache_time: 5\n[s]\nmap: x\n[t]\nmap: y\ncache_time: 9\n");

        Assert.Equal(["s", "t"], doc.Sections.Select(s => s.Name));
        Assert.Equal("5", doc.Get("s", "cache_time")!.Text);
        Assert.Equal("9", doc.Get("t", "cache_time")!.Text);
    }

    [Fact]
    public void LaterFiles_OverrideKeysAndMergeSections()
    {
        var doc = Parse("[s]\nmap: one\nall: keep\n");
        doc.Merge("/y/groups.conf", "[s]\nmap: two\n[t]\nmap: three\n");

        Assert.Equal("two", doc.Get("s", "map")!.Text);
        Assert.Equal("/y/groups.conf", doc.Get("s", "map")!.File);
        Assert.Equal("keep", doc.Get("s", "all")!.Text);
        Assert.Equal(["s", "t"], doc.Sections.Select(s => s.Name));
    }

    [Fact]
    public void KeyBeforeAnySection_IsAnError_WithFileAndLine()
    {
        var error = ParseFails("\n# c\nmap: x\n");

        Assert.Equal(GroupErrorKind.Configuration, error.Kind);
        Assert.StartsWith("/x/groups.conf:3:", error.Message);
    }

    [Fact]
    public void LineWithoutDelimiter_IsAnError_WithFileAndLine()
    {
        var error = ParseFails("[s]\nmap: x\njunk\n");

        Assert.StartsWith("/x/groups.conf:3:", error.Message);
    }

    [Fact]
    public void DuplicateKeyInOneSection_IsAnError()
    {
        Assert.StartsWith("/x/groups.conf:3:", ParseFails("[s]\nmap: x\nMap: y\n").Message);
    }

    [Fact]
    public void DuplicateSectionInOneFile_IsAnError()
    {
        Assert.StartsWith("/x/groups.conf:3:", ParseFails("[s]\nmap: x\n[s]\nall: y\n").Message);
    }
}
