using System.Collections;
using System.Management.Automation;
using MilkCheck.Configuration;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Validates a MilkCheck configuration: one ConfigDiagnostic per problem.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MilkCheckConfig", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ConfigDiagnostic), typeof(bool))]
public sealed class TestMilkCheckConfigCommand : MilkCheckCmdletBase
{
    /// <summary>The configuration directory or YAML file; wildcards must match exactly one item.</summary>
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    public string? Path { get; set; }

    /// <summary>The configuration directory or YAML file, taken as written (no wildcards); binds from PSPath, so Get-Item output pipes in.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Variables a run would pass with -Define (upstream -D name=value): references to them resolve.</summary>
    [Parameter]
    public Hashtable? Define { get; set; }

    /// <summary>Only say whether the configuration is usable: $false when any diagnostic is an Error.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        var configuration = LoadConfiguration(ConfigurationPath.From(Path, LiteralPath), runCommands: false, new LoadOptions { Defines = ToDefines(Define) });
        if (Quiet)
        {
            WriteObject(!configuration.HasErrors);
            return;
        }
        foreach (ConfigDiagnostic diagnostic in configuration.Diagnostics)
            WriteObject(diagnostic);
    }
}
