using System.Management.Automation;
using MilkCheck.Configuration;
using MilkCheck.NodeSets;
using MilkCheck.Scheduling;

namespace MilkCheck;

/// <summary>Builds the module's error records: a stable id, a real category, the failing item as target.</summary>
internal static class ErrorRecords
{
    /// <summary>A node set argument that does not parse; the message shows the position.</summary>
    public static ErrorRecord NodeSetInvalid(NodeSetParseException exception, string input) =>
        new(exception, ErrorIds.NodeSetInvalid, ErrorCategory.InvalidArgument, input)
        {
            ErrorDetails = new ErrorDetails(exception.Message)
            {
                RecommendedAction = "Fix the node set syntax at the position shown (brackets, ranges such as [1-10], operators , ! & ^).",
            },
        };

    /// <summary>A node group that cannot be resolved (unknown source, failing upcall, cycle).</summary>
    public static ErrorRecord NodeSetInvalid(GroupResolverException exception, string input) =>
        new(exception, ErrorIds.NodeSetInvalid,
            exception.Kind == GroupErrorKind.UnknownSource ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData, input)
        {
            ErrorDetails = new ErrorDetails($"Cannot resolve the node groups of '{input}': {exception.Message}")
            {
                RecommendedAction = "Check the group name and source, and ClusterShell's groups.conf ($CLUSTERSHELL_CFGDIR, ~/.config/clustershell, /etc/clustershell).",
            },
        };

    public static ErrorRecord ConfigurationNotFound(string path, bool isDefault) =>
        new(new DirectoryNotFoundException(isDefault
                ? $"No MilkCheck configuration at '{path}' (the default): give -Path, or set config_dir in {GlobalConfigurationLocator.ResolveGlobalConfigurationPath()} ($MILKCHECK_CONF)."
                : $"The MilkCheck configuration '{path}' does not exist: give -Path a directory of *.yaml files or a YAML file."),
            ErrorIds.ConfigurationNotFound, ErrorCategory.ObjectNotFound, path);

    /// <summary>A -Path whose wildcards name several items: a configuration is one directory or file.</summary>
    public static ErrorRecord ConfigurationAmbiguous(string path, IReadOnlyCollection<string> matches) =>
        new(new ArgumentException($"-Path '{path}' matches {matches.Count} items ({string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", ..." : string.Empty)}): a MilkCheck configuration is one directory or file; make the pattern match one, or use -LiteralPath."),
            ErrorIds.ConfigurationAmbiguous, ErrorCategory.InvalidArgument, path);

    /// <summary>Every Error diagnostic in the message, as file:line:column: message; the diagnostics as target.</summary>
    public static ErrorRecord ConfigurationInvalid(MilkCheckConfiguration configuration)
    {
        ConfigDiagnostic[] errors = configuration.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        string message = $"The MilkCheck configuration '{configuration.Path}' has {errors.Length} error(s):" +
            string.Concat(errors.Select(e => Environment.NewLine + "  " + e));
        return new ErrorRecord(new InvalidDataException(message), ErrorIds.ConfigurationInvalid, ErrorCategory.InvalidData, errors)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Fix each problem at the file and line shown; Test-MilkCheckConfig lists them as objects." },
        };
    }

    public static ErrorRecord UnknownService(string name, string path) =>
        new(new ItemNotFoundException($"No service or group named '{name}' in the configuration '{path}'. Get-MilkCheckService -Path '{path}' lists them."),
            ErrorIds.UnknownService, ErrorCategory.ObjectNotFound, name);

    /// <summary>A run that cannot start (unknown service or action, a bad -Define, an unusable configuration).</summary>
    public static ErrorRecord RunSetup(RunSetupException e)
    {
        ErrorCategory category = e.ErrorId switch
        {
            ErrorIds.UnknownService or ErrorIds.UnknownAction => ErrorCategory.ObjectNotFound,
            ErrorIds.ConfigurationInvalid => ErrorCategory.InvalidData,
            _ => ErrorCategory.InvalidArgument,
        };
        return new ErrorRecord(e, e.ErrorId, category, e.Target) { ErrorDetails = new ErrorDetails(e.Message) };
    }

    /// <summary>A defect of MilkCheck itself stopped the run: said as such, never as a node's status.</summary>
    public static ErrorRecord InternalError(Exception e) =>
        new(e, ErrorIds.InternalError, ErrorCategory.NotSpecified, null);

    /// <summary>
    /// The non-terminating error an entity's final status calls for (Error, Timeout, DependencyError), else null: one
    /// line naming the failed nodes and why (<c>compute.start: Error: compute05 exited with 1</c>). The result's view
    /// already showed the output, so no recommendation repeats it.
    /// </summary>
    public static ErrorRecord? Outcome(ActionResult result) => result.Status switch
    {
        ActionStatus.Error => Failure(result, ErrorIds.ActionFailed, ErrorCategory.InvalidResult),
        ActionStatus.Timeout => Failure(result, ErrorIds.ActionTimedOut, ErrorCategory.OperationTimeout),
        ActionStatus.DependencyError => Failure(result, ErrorIds.DependencyFailed, ErrorCategory.ResourceUnavailable),
        ActionStatus.Done or ActionStatus.Warning or ActionStatus.Skipped or ActionStatus.Locked or ActionStatus.Missing => null,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result.Status, "Unknown action status."),
    };

    /// <summary>The warning of an entity that ended Warning, else null.</summary>
    public static string? OutcomeWarning(ActionResult result) => result.Status == ActionStatus.Warning
        ? $"{result.Service}.{result.Action}: Warning: {Why(result)} (within its errors tolerance)"
        : null;

    /// <summary>The one-line message of a failed or warned entity.</summary>
    internal static string OutcomeMessage(ActionResult result) => $"{result.Service}.{result.Action}: {result.Status}: {Why(result)}";

    private static string Why(ActionResult result)
    {
        if (result.Status == ActionStatus.DependencyError)
            return "not run, a dependency it requires failed";
        string reasons = ResultText.FailureReasons(result);
        if (reasons.Length > 0)
            return reasons;
        return result.FailedNodes.Length > 0 ? $"failed on {result.FailedNodes}" : result.Kind == EntityKind.Group ? "a member failed" : "failed";
    }

    private static ErrorRecord Failure(ActionResult result, string id, ErrorCategory category) =>
        new(new MilkCheckActionException(OutcomeMessage(result)), id, category, result);
}

/// <summary>An entity of a run ended Error, Timeout or DependencyError; the error record's target is its ActionResult.</summary>
public sealed class MilkCheckActionException : Exception
{
    public MilkCheckActionException(string message) : base(message)
    {
    }
}
