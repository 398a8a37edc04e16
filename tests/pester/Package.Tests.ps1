# The package of build.ps1 -Task Package (Test makes it too) installs with PSResourceGet and imports in a clean pwsh.
BeforeAll {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $package = Join-Path $repo 'out/package'
    $manifest = Join-Path $repo 'out/MilkCheck/MilkCheck.psd1'
}

Describe 'The module manifest' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest $manifest -ErrorAction Stop } | Should -Not -Throw
    }

    It 'has tags, release notes from CHANGELOG.md, and no web address that does not exist' {
        $data = Import-PowerShellDataFile $manifest
        $data.PrivateData.PSData.Tags | Should -Contain 'ClusterShell'
        $data.PrivateData.PSData.ReleaseNotes | Should -BeLike '*Invoke-MilkCheckAction*'
        $data.PrivateData.PSData.ReleaseNotes | Should -Not -Be 'See CHANGELOG.md.'
        $data.PrivateData.PSData.Keys | Should -Not -Contain 'LicenseUri'
        $data.PrivateData.PSData.Keys | Should -Not -Contain 'ProjectUri'
    }

    It 'ships the MIT licence' {
        Join-Path $repo 'out/MilkCheck/LICENSE' | Should -FileContentMatch 'MIT License'
    }
}

Describe 'The package' {
    It 'installs from a local folder repository with Install-PSResource and imports in a clean pwsh' {
        $nupkg = @(Get-ChildItem $package -Filter 'MilkCheck.*.nupkg')
        $nupkg.Count | Should -Be 1
        # A home of its own: the repository registration and the installed module stay in the test drive.
        $isolatedHome = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'home')).FullName
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name MilkCheckLocal -Uri '$package' -Trusted
Install-PSResource -Name MilkCheck -Repository MilkCheckLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module MilkCheck
`$module = Get-Module MilkCheck
"base=`$(`$module.ModuleBase)"
"commands=`$((Get-Command -Module MilkCheck).Count)"
"demo=`$(Test-MilkCheckConfig -Path '$repo/examples/demo' -Quiet)"
"help=`$((Get-Help Invoke-MilkCheckAction).Synopsis -ne '')"
"@
        $start = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME 'pwsh'))
        foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $script) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['HOME'] = $isolatedHome
        $start.Environment['XDG_DATA_HOME'] = Join-Path $isolatedHome '.local/share'
        $start.Environment['XDG_CONFIG_HOME'] = Join-Path $isolatedHome '.config'
        $start.Environment['XDG_CACHE_HOME'] = Join-Path $isolatedHome '.cache'
        $start.Environment['NO_COLOR'] = '1'
        # PSResourceGet may keep its repository store relative to the working directory: keep that in the test drive too.
        $start.WorkingDirectory = $isolatedHome
        $process = [System.Diagnostics.Process]::Start($start)
        $errorText = $process.StandardError.ReadToEndAsync()
        $output = $process.StandardOutput.ReadToEnd() -split "`n" | ForEach-Object Trim
        $process.WaitForExit()
        $errorText.Result | Should -BeNullOrEmpty
        $process.ExitCode | Should -Be 0
        $output | Should -Contain "commands=$(@((Import-PowerShellDataFile $manifest).CmdletsToExport).Count)"
        $output | Should -Contain 'demo=True'
        $output | Should -Contain 'help=True'
        ($output | Where-Object { $_ -like 'base=*' }) | Should -BeLike "base=$isolatedHome*"
    }
}
