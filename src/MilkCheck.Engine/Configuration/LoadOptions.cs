namespace MilkCheck.Configuration;

/// <summary>What a load knows of the run it is for.</summary>
public sealed record LoadOptions
{
    public static readonly LoadOptions Default = new();

    /// <summary>
    /// Variables given on the command line (upstream -D): they resolve in every run-time property (cmd, desc,
    /// variables, numbers) whether or not a file declares them, never in targets or dependency lists.
    /// </summary>
    public IReadOnlyDictionary<string, string> Defines { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// True for a load that is about to run: a run-time reference that neither the files nor <see cref="Defines"/>
    /// define is an Error. False (checking, listing, drawing): it is a Warning, since the run may pass it with -Define.
    /// </summary>
    public bool UndefinedRunVariableIsError { get; init; }

    /// <summary>How the front end names its options, for messages that say what to pass.</summary>
    public OptionNames Names { get; init; } = OptionNames.Cmdlet;

    /// <summary>Told of each target or dependency list a substitution changed and each <c>%(...)</c> run while loading.</summary>
    internal Variables.ISubstitutionLog? Substitutions { get; init; }

    /// <summary>Ctrl-C, SIGTERM, a stopped pipeline: a <c>%(...)</c> running for the load is killed and the load
    /// throws OperationCanceledException.</summary>
    public CancellationToken Cancellation { get; init; }
}
