using System.Collections;
using System.Management.Automation;
using MilkCheck.Configuration;

namespace MilkCheck.Commands;

/// <summary>
/// <para type="synopsis">Validates a MilkCheck configuration: one ConfigDiagnostic per problem.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MilkCheckConfig")]
[OutputType(typeof(ConfigDiagnostic), typeof(bool))]
public sealed class TestMilkCheckConfigCommand : MilkCheckCmdletBase
{
    [Parameter(Position = 0)]
    public string? Path { get; set; }

    /// <summary>Variables a run would pass with -Define (upstream -D name=value): references to them resolve.</summary>
    [Parameter]
    public Hashtable? Define { get; set; }

    /// <summary>Only say whether the configuration is usable: $false when any diagnostic is an Error.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        var configuration = LoadConfiguration(Path, runCommands: false, new LoadOptions { Defines = ToDefines(Define) });
        if (Quiet)
        {
            WriteObject(!configuration.HasErrors);
            return;
        }
        foreach (ConfigDiagnostic diagnostic in configuration.Diagnostics)
            WriteObject(diagnostic);
    }
}
