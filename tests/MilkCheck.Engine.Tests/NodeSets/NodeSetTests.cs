using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.NodeSets;

public sealed class NodeSetTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void BlankInput_IsTheEmptySet(string? text)
    {
        NodeSet set = NodeSet.Parse(text);
        Assert.True(set.IsEmpty);
        Assert.Equal(0, set.Count);
        Assert.Equal(string.Empty, set.ToString());
        Assert.Empty(set);
    }

    [Fact]
    public void Padding_IsSignificantForMembership()
    {
        NodeSet set = NodeSet.Parse("node[01-03]");
        Assert.False(set.Contains("node1"));
        Assert.True(set.Contains("node01"));
        Assert.False(NodeSet.Parse("tronic[0036-1630]").Contains("tronic36"));
    }

    [Fact]
    public void Duplicates_CountOnce()
    {
        Assert.Equal(1, NodeSet.Parse("tigrou3,tigrou3,tigrou3").Count);
    }

    [Fact]
    public void SetOperations_MatchTheStringOperators()
    {
        NodeSet a = NodeSet.Parse("n[1-10]");
        NodeSet b = NodeSet.Parse("n[5-15]");
        Assert.Equal("n[1-15]", (a | b).ToString());
        Assert.Equal("n[5-10]", (a & b).ToString());
        Assert.Equal("n[1-4]", (a - b).ToString());
        Assert.Equal("n[1-4,11-15]", (a ^ b).ToString());
        Assert.Equal(NodeSet.Parse("n[1-10]^n[5-15]"), a ^ b);
    }

    [Fact]
    public void SetOperations_WorkAcrossPatternsAndDimensions()
    {
        NodeSet set = NodeSet.Parse("a[1-3]b[1-3],web[1-2],login");
        NodeSet cut = NodeSet.Parse("a2b2,web1,login");
        Assert.Equal(9 + 2 + 1 - 3, (set - cut).Count);
        Assert.True(set.IsSupersetOf(cut));
        Assert.False(cut.IsSupersetOf(set));
        Assert.True(cut.IsSubsetOf(set));
        Assert.Equal("a2b2,login,web1", (set & cut).ToString());
    }

    [Fact]
    public void Equality_IsSetEquality()
    {
        Assert.Equal(NodeSet.Parse("n[1-3]"), NodeSet.Parse("n3,n1,n2"));
        Assert.NotEqual(NodeSet.Parse("n[1-3]"), NodeSet.Parse("n[01-03]"));
        Assert.Equal(NodeSet.Parse("a[1-2]b[1-2]").GetHashCode(), NodeSet.Parse("a1b1,a2b2,a1b2,a2b1").GetHashCode());
    }

    [Fact]
    public void Count_OfAHugeRange_IsComputedWithoutExpanding()
    {
        Assert.Equal(99_999_999, NodeSet.Parse("node[1-99999999]").Count);
        Assert.Equal(99_999_999L * 999, NodeSet.Parse("r[1-99999999]c[1-999]").Count);
    }

    [Fact]
    public void RangeOfOneBillionValues_IsARangeError()
    {
        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse("node[0-999999999]"));
        Assert.Equal(NodeSetErrorKind.Range, error.Kind);
        Assert.Contains("too large", error.Message);
    }

    [Theory]
    [InlineData("n[1-99999999]0")]          // digits after ']' make a stepped range of 10^8 members
    [InlineData("n[1-20000000/2]")]
    public void SteppedRangeOfMillionsOfMembers_IsARangeErrorNotAnOutOfMemory(string input)
    {
        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse(input));
        Assert.Equal(NodeSetErrorKind.Range, error.Kind);
        Assert.Contains("too many members", error.Message);
    }

    [Fact]
    public void SteppedRangeOfAMillionMembers_IsAccepted() =>
        Assert.Equal(1_000_000, NodeSet.Parse("n[1-2000000/2]").Count);

    [Fact]
    public void NumberOverEighteenDigits_IsARangeError()
    {
        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse("serial1234567890123456789"));
        Assert.Equal(NodeSetErrorKind.Range, error.Kind);
        Assert.Equal(6, error.Position);
    }

    [Fact]
    public void Enumeration_IsLazy()
    {
        // A million names would take tens of megabytes; taking three must not build them.
        string[] first = NodeSet.Parse("node[1-1000000]").Take(3).ToArray();
        Assert.Equal(new[] { "node1", "node2", "node3" }, first);
    }

    [Fact]
    public void FromList_FoldsManyNamesIntoIntervals()
    {
        IEnumerable<string> names = Enumerable.Range(1, 100).SelectMany(r => Enumerable.Range(1, 50).Select(c => $"r{r}c{c}"));
        NodeSet set = NodeSet.FromList(names);
        Assert.Equal("r[1-100]c[1-50]", set.ToString());
        Assert.Equal(5000, set.Count);
    }

    [Fact]
    public void FromList_AcceptsExpressions()
    {
        Assert.Equal("a[1-5]", NodeSet.FromList(new[] { "a[1-3]", "a4,a5", "a[1-5]!a9" }).ToString());
    }

    [Theory]
    [InlineData("nova[3-59/2,102", 4, NodeSetErrorKind.Parse)]
    [InlineData("n6[1-4]]", 7, NodeSetErrorKind.Parse)]
    [InlineData("foo,,bar", 4, NodeSetErrorKind.Parse)]
    [InlineData("nova[2-5/a]", 9, NodeSetErrorKind.Range)]
    [InlineData("n[1-4][3-4]", 6, NodeSetErrorKind.Parse)]
    public void ParseError_ReportsWhereTheProblemIs(string input, int position, NodeSetErrorKind kind)
    {
        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse(input));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(position, error.Position);
        Assert.Contains($"position {position + 1}", error.Message);
        Assert.Contains(input, error.Message);
    }

    [Fact]
    public void Steps_ExpandToTheirMembers()
    {
        Assert.Equal("n[1,3]", NodeSet.Parse("n[1-4/2]").ToString());
        Assert.Equal("n[0,5,10]", NodeSet.Parse("n[0 - 10 / 05]").ToString());
    }

    [Fact]
    public void UnpaddedRuns_ContinueAcrossLengthsButPaddedRunsDoNot()
    {
        Assert.Equal("n[9-10]", NodeSet.Parse("n9,n10").ToString());
        Assert.Equal("n[9,010]", NodeSet.Parse("n9,n010").ToString());
        Assert.Equal("n[09-10]", NodeSet.Parse("n09,n10").ToString());
        Assert.Equal("n[9,05,10]", NodeSet.Parse("n9,n05,n10").ToString());
    }

    [Theory]
    [InlineData("n05,n[99-100]", "n[05,99,100]")]
    [InlineData("n[058],n[100-1014]", "n[058,100-999,1000-1014]")]
    [InlineData("n05,n[10-100]", "n[05,10-99,100]")]
    [InlineData("n05,n10,n[20-100]", "n[05,10,20-99,100]")]
    public void LoneZeroPaddedIndex_KeepsTheFollowingIndicesOfItsLengthInItsRun(string input, string expected)
    {
        NodeSet set = NodeSet.Parse(input);
        Assert.Equal(expected, set.ToString());
        Assert.Equal(set, NodeSet.Parse(set.ToString()));
    }

    [Fact]
    public void RangeAfterAZeroPaddedRange_OpensARunOfItsOwn()
    {
        Assert.Equal("n[05-06,10-100]", NodeSet.Parse("n[05-06],n[10-100]").ToString());
    }

    [Fact]
    public void DigitsBeforeABracket_JoinTheBoundsOfEachFoldedRun()
    {
        NodeSet set = NodeSet.Parse("n0[00,98-101]");
        Assert.Equal("n[000,098-099,0100-0101]", set.ToString());
        Assert.Equal("n000 n098 n099 n0100 n0101", string.Join(' ', set));

        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse("n0[7-9,10]"));
        Assert.Equal(NodeSetErrorKind.Range, error.Kind);
        Assert.Equal(1, error.Position);
        Assert.Contains("'07-010'", error.Message);
    }

    [Theory]
    [InlineData("n[1-10]0", "n[10,20,30,40,50,60,70,80,90,100]")]
    [InlineData("n[00-10]0", "n[000,010,020,030,040,050,060,070,080,090,100]")]
    [InlineData("n[1-3,7]05", "n[105,205,305,705]")]
    [InlineData("hpc_[13, 33]3", "hpc_[133,333]")]
    [InlineData("n[]3", "n3")]
    [InlineData("n[-5]3", "n[3,13,23,33,43,53]")]
    public void DigitsAfterABracket_AreAppendedToEveryBound(string input, string expected)
    {
        Assert.Equal(expected, NodeSet.Parse(input).ToString());
    }

    [Theory]
    [InlineData("[0-10]0", 1, "'00-100/10'")]
    [InlineData("n[0-10]0", 2, "'00-100/10'")]
    [InlineData("x[7,0-14]5", 4, "'05-145/10'")]
    public void DigitsAfterABracket_GivingBoundsOfDifferentPadding_AreAPaddingMismatch(string input, int position, string glued)
    {
        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse(input));
        Assert.Equal(NodeSetErrorKind.Range, error.Kind);
        Assert.Equal(position, error.Position);
        Assert.Contains("padding mismatch", error.Message);
        Assert.Contains(glued, error.Message);
    }

    [Theory]
    [InlineData("Z[30-43 ]2", 7)]
    [InlineData("hpc_[13 ,33]3", 7)]
    [InlineData("n[1 -5]0", 3)]
    public void BlankBeforeDigitsAfterABracket_IsARangeErrorAtTheBlank(string input, int position)
    {
        var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse(input));
        Assert.Equal(NodeSetErrorKind.Range, error.Kind);
        Assert.Equal(position, error.Position);
        Assert.Equal(' ', input[error.Position]);
    }

    [Fact]
    public void PatternOrder_IsOrdinalOnUpstreamKeys()
    {
        Assert.Equal("a,a 1,a1,a0b1,a-b,a.1,a_1", NodeSet.Parse("a-b,a1,a,a0b1,a_1,a.1,a 1").ToString());
        Assert.Equal("node1,node-1", NodeSet.Parse("node-1,node1").ToString());
        Assert.Equal("N1,n1", NodeSet.Parse("n1,N1").ToString());
    }

    [Fact]
    public void MultiDimensionalExpansion_VariesTheLastDimensionFastest()
    {
        Assert.Equal("a1b1 a1b2 a2b1 a2b2", string.Join(' ', NodeSet.Parse("a[1-2]b[1-2]")));
    }

    [Fact]
    public void ScatteredTwoDimensionalNames_FoldToDisjointVectorsWithTheSameMembers()
    {
        var random = new Random(42);
        var names = Enumerable.Range(0, 500).Select(_ => $"c{random.Next(1, 60)}n{random.Next(1, 60)}").ToList();
        NodeSet set = NodeSet.FromList(names);
        Assert.Equal(names.Distinct().Count(), set.Count);
        Assert.Equal(names.Distinct().OrderBy(n => n, StringComparer.Ordinal), set.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(set, NodeSet.Parse(set.ToString()));
    }

    [Fact]
    public void GroupsWithoutConfiguration_AreASourceError()
    {
        var error = Assert.Throws<GroupResolverException>(() => NodeSet.Parse("@compute"));
        Assert.Equal(GroupErrorKind.UnknownSource, error.Kind);
        Assert.Throws<GroupResolverException>(() => NodeSet.Parse("node*"));
    }
}
