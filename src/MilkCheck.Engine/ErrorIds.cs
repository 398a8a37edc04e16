namespace MilkCheck;

/// <summary>
/// Every stable id MilkCheck gives an error, a warning or a configuration diagnostic: one catalogue for the engine,
/// the module (through InternalsVisibleTo) and the <c>milkcheck</c> command. The values are a public contract
/// (architecture.md §4): scripts match <c>FullyQualifiedErrorId</c> and <c>ErrorId</c> on them, so a value never
/// changes once shipped. A constant is named after the last part of its id, and a nested class after the part
/// before it (<c>ErrorIds.Config.Cycle</c> is <c>MilkCheck.Config.Cycle</c>).
/// </summary>
internal static class ErrorIds
{
    // Outcomes of a run's entities.
    public const string ActionFailed = "MilkCheck.ActionFailed";
    public const string ActionTimedOut = "MilkCheck.ActionTimedOut";
    public const string DependencyFailed = "MilkCheck.DependencyFailed";

    /// <summary>Documented for an entity ending Warning; PowerShell warnings carry no id, so nothing writes it yet.</summary>
    public const string ActionWarning = "MilkCheck.ActionWarning";

    // A configuration that cannot be used.
    public const string ConfigurationInvalid = "MilkCheck.ConfigurationInvalid";
    public const string ConfigurationNotFound = "MilkCheck.ConfigurationNotFound";
    public const string ConfigurationAmbiguous = "MilkCheck.ConfigurationAmbiguous";

    // A run that cannot start, or a selection that leaves something out.
    public const string UnknownService = "MilkCheck.UnknownService";
    public const string UnknownAction = "MilkCheck.UnknownAction";
    public const string UnknownExcludedService = "MilkCheck.UnknownExcludedService";
    public const string InvalidDefine = "MilkCheck.InvalidDefine";
    public const string InvalidFanout = "MilkCheck.InvalidFanout";
    public const string InvalidNodeName = "MilkCheck.InvalidNodeName";
    public const string NodeSetInvalid = "MilkCheck.NodeSetInvalid";
    public const string EmptyNodeSelection = "MilkCheck.EmptyNodeSelection";
    public const string ConfirmationUnavailable = "MilkCheck.ConfirmationUnavailable";

    /// <summary>A defect of MilkCheck itself, never a node's status.</summary>
    public const string InternalError = "MilkCheck.InternalError";

    // The run journal.
    public const string JournalUnavailable = "MilkCheck.JournalUnavailable";
    public const string JournalDamaged = "MilkCheck.JournalDamaged";
    public const string RunNotFound = "MilkCheck.RunNotFound";

    // SSH warnings, once per run.
    public const string HostKeyChanged = "MilkCheck.HostKeyChanged";
    public const string SshConfigNotEvaluated = "MilkCheck.SshConfigNotEvaluated";

    /// <summary>Diagnostics of the service files and of milkcheck.conf, each at file:line:column.</summary>
    public static class Config
    {
        // Reading the files (service files and milkcheck.conf).
        public const string NotFound = "MilkCheck.Config.NotFound";
        public const string YamlSyntax = "MilkCheck.Config.YamlSyntax";
        public const string TooDeep = "MilkCheck.Config.TooDeep";
        public const string AliasExpansion = "MilkCheck.Config.AliasExpansion";
        public const string DuplicateKey = "MilkCheck.Config.DuplicateKey";

        // Service files.
        public const string BadRule = "MilkCheck.Config.BadRule";
        public const string UnknownKey = "MilkCheck.Config.UnknownKey";
        public const string IgnoredKey = "MilkCheck.Config.IgnoredKey";
        public const string WrongType = "MilkCheck.Config.WrongType";
        public const string InvalidName = "MilkCheck.Config.InvalidName";
        public const string DuplicateService = "MilkCheck.Config.DuplicateService";
        public const string DroppedAlias = "MilkCheck.Config.DroppedAlias";
        public const string UnknownDependency = "MilkCheck.Config.UnknownDependency";
        public const string DuplicateDependency = "MilkCheck.Config.DuplicateDependency";
        public const string UnknownCheckAction = "MilkCheck.Config.UnknownCheckAction";
        public const string Cycle = "MilkCheck.Config.Cycle";
        public const string NoActions = "MilkCheck.Config.NoActions";
        public const string UndefinedVariable = "MilkCheck.Config.UndefinedVariable";
        public const string InvalidPlaceholder = "MilkCheck.Config.InvalidPlaceholder";
        public const string CommandFailed = "MilkCheck.Config.CommandFailed";
        public const string VariableRecursion = "MilkCheck.Config.VariableRecursion";
        public const string ReservedVariable = "MilkCheck.Config.ReservedVariable";
        public const string InvalidTarget = "MilkCheck.Config.InvalidTarget";
        public const string TooManyNodes = "MilkCheck.Config.TooManyNodes";

        /// <summary>A property that only resolves at run time (a variable, a -Define) to something unusable.</summary>
        public const string RunResolution = "MilkCheck.Config.RunResolution";

        // milkcheck.conf.
        public const string GlobalFileNotFound = "MilkCheck.Config.GlobalFileNotFound";
        public const string GlobalFileUnreadable = "MilkCheck.Config.GlobalFileUnreadable";
        public const string NotAMapping = "MilkCheck.Config.NotAMapping";
        public const string MultipleDocuments = "MilkCheck.Config.MultipleDocuments";
        public const string BadEntry = "MilkCheck.Config.BadEntry";
        public const string WrongValue = "MilkCheck.Config.WrongValue";
    }
}
