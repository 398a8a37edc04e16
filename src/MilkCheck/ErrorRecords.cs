using System.Management.Automation;
using MilkCheck.NodeSets;

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
}
