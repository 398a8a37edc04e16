namespace MilkCheck.NodeSets;

/// <summary>PLACEHOLDER – replaced by the groups work. Holds group sources and the default source.</summary>
public sealed class GroupResolver
{
    public static GroupResolver None { get; } = new();
    public bool IsConfigured => false;
    public string? DefaultSourceName => null;
    public IGroupSource GetSource(string? name) =>
        throw new GroupResolverException(GroupErrorKind.UnknownSource, "No node group configuration is loaded.");
}
