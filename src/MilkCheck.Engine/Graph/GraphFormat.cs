namespace MilkCheck;

/// <summary>The text formats of the dependency graph output (upstream <c>-g</c> is <see cref="Dot"/>).</summary>
public enum GraphFormat
{
    /// <summary>Graphviz DOT, byte for byte as upstream MilkCheck <c>-g</c>.</summary>
    Dot,
    /// <summary>A Mermaid <c>flowchart</c>, renderable in GitHub Markdown (not upstream).</summary>
    Mermaid,
}
