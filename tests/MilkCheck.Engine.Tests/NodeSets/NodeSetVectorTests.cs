using MilkCheck.NodeSets;
using Xunit;

namespace MilkCheck.Engine.Tests.NodeSets;

/// <summary>Every row of ClusterShell's recorded conformance vectors (spec/nodeset-vectors.tsv).</summary>
public sealed class NodeSetVectorTests
{
    public static IEnumerable<object[]> Vectors()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "nodeset-vectors.tsv");
        int line = 0;
        foreach (string row in File.ReadLines(path))
        {
            line++;
            if (line == 1 || row.Length == 0)
                continue;
            string[] fields = row.Split('\t');
            yield return new object[] { line, fields[0], fields[1], fields.Length > 2 ? fields[2] : string.Empty };
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_MatchesClusterShell(int line, string kind, string input, string expected)
    {
        _ = line;
        switch (kind)
        {
            case "fold":
                Assert.Equal(expected, NodeSet.Parse(input).ToString());
                break;
            case "expand":
                Assert.Equal(expected, string.Join(' ', NodeSet.Parse(input)));
                break;
            case "count":
                Assert.Equal(long.Parse(expected), NodeSet.Parse(input).Count);
                break;
            case "error":
                var error = Assert.Throws<NodeSetParseException>(() => NodeSet.Parse(input));
                if (expected == "NodeSetParseRangeError")
                    Assert.Equal(NodeSetErrorKind.Range, error.Kind);
                else
                    Assert.Equal(expected, error.UpstreamName);
                Assert.Equal(input, error.Input);
                Assert.InRange(error.Position, 0, Math.Max(input.Length - 1, 0));
                break;
            default:
                throw new InvalidOperationException($"Unknown vector kind '{kind}'.");
        }
    }
}
