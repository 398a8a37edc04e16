@{
    RootModule           = 'MilkCheck.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6b1f3c8e-2d4a-4f7b-9e51-8c0d2a7f4b13'
    Author               = 'MilkCheck for PowerShell contributors'
    CompanyName          = 'MilkCheck for PowerShell'
    Copyright            = '(c) MilkCheck for PowerShell contributors'
    Description          = 'Distributed services manager for HPC clusters (a PowerShell rebuild of CEA MilkCheck): start, stop and check services over node sets, with typed results.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    TypesToProcess       = @('MilkCheck.types.ps1xml')
    FormatsToProcess     = @('MilkCheck.format.ps1xml')
    CmdletsToExport      = @(
        'Invoke-MilkCheckAction'
        'Measure-MilkCheckResult'
        'ConvertTo-MilkCheckNagios'
        'Get-MilkCheckService'
        'Get-MilkCheckGraph'
        'Test-MilkCheckConfig'
        'Expand-MilkCheckNodeSet'
        'Compress-MilkCheckNodeSet'
        'Get-MilkCheckRun'
        'Import-MilkCheckRun'
        'Get-MilkCheckConnection'
        'Disconnect-MilkCheckConnection'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('HPC', 'ClusterShell', 'MilkCheck', 'services', 'cluster', 'nodeset', 'ssh', 'Linux', 'PSEdition_Core')
            # No LicenseUri/ProjectUri: the project has no public address yet. The LICENSE file ships in the module.
            # build.ps1 replaces this with the CHANGELOG.md section of ModuleVersion in the built manifest.
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
