namespace MilkCheck.NodeSets;

/// <summary>The upstream exception class an error corresponds to (ClusterShell names).</summary>
public enum NodeSetErrorKind
{
    /// <summary><c>NodeSetParseError</c>: bad syntax outside brackets (brackets, operators, empty operands).</summary>
    Parse,
    /// <summary><c>NodeSetParseRangeError</c>: bad content of a range set (inside brackets, padding, numbers).</summary>
    Range,
}

/// <summary>A node set or range set expression that does not parse.</summary>
/// <remarks>Carries the whole offending input and the 0-based position of the problem in it.</remarks>
public sealed class NodeSetParseException : FormatException
{
    public NodeSetParseException(NodeSetErrorKind kind, string input, int position, string reason, Exception? inner = null)
        : base(BuildMessage(input, position, reason), inner)
    {
        Kind = kind;
        Input = input;
        Position = position;
        Reason = reason;
    }

    public NodeSetErrorKind Kind { get; }

    /// <summary>The whole expression that failed to parse.</summary>
    public string Input { get; }

    /// <summary>0-based index into <see cref="Input"/> where the problem is.</summary>
    public int Position { get; }

    /// <summary>What is wrong, without the input and position.</summary>
    public string Reason { get; }

    /// <summary>The upstream (ClusterShell) exception class name.</summary>
    public string UpstreamName => Kind switch
    {
        NodeSetErrorKind.Parse => "NodeSetParseError",
        NodeSetErrorKind.Range => "NodeSetParseRangeError",
        _ => throw new InvalidOperationException($"Unknown kind {Kind}."),
    };

    private static string BuildMessage(string input, int position, string reason) =>
        $"Invalid node set '{input}' at position {position + 1}: {reason}.";
}
