namespace MilkCheck;

/// <summary>Stable error ids (architecture.md §4): scripts match <c>FullyQualifiedErrorId</c> on them.</summary>
internal static class ErrorIds
{
    public const string ActionFailed = "MilkCheck.ActionFailed";
    public const string ActionTimedOut = "MilkCheck.ActionTimedOut";
    public const string DependencyFailed = "MilkCheck.DependencyFailed";
    public const string ActionWarning = "MilkCheck.ActionWarning";
    public const string ConfigurationInvalid = "MilkCheck.ConfigurationInvalid";
    public const string ConfigurationNotFound = "MilkCheck.ConfigurationNotFound";
    public const string ConfigurationAmbiguous = "MilkCheck.ConfigurationAmbiguous";
    public const string UnknownService = "MilkCheck.UnknownService";
    public const string UnknownAction = "MilkCheck.UnknownAction";
    public const string NodeSetInvalid = "MilkCheck.NodeSetInvalid";
    public const string EmptyNodeSelection = "MilkCheck.EmptyNodeSelection";
}
