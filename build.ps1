#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The one entry point of MilkCheck for PowerShell: Build, Test, Demo, Bench, Install, Package (out/package/MilkCheck.<version>.nupkg), Clean.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Install -Prefix /usr/local    # links milkcheck and check_milkcheck into /usr/local/bin
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Install', 'Package', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Install: the links go into <Prefix>/bin.
    [string] $Prefix = '/usr/local'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$module = Join-Path $out 'MilkCheck'
$results = Join-Path $out 'TestResults'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

# A simple function (not advanced), so arguments such as -c and -o pass through untouched.
function Invoke-Native {
    $command, $arguments = $args
    & $command @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$command $($arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

# pwsh of the local tool manifest, for child processes that must load the BUILT module afresh.
function Invoke-ChildPwsh {
    param([Parameter(Mandatory)][string] $Script)
    $env:NO_COLOR = '1'
    & dotnet pwsh -NoProfile -NonInteractive -Command $Script | Out-Host
    return $LASTEXITCODE
}

function Invoke-Build {
    if (Test-Path $module) { Remove-Item -Recurse -Force $module }
    Invoke-Native dotnet publish (Join-Path $root 'src/MilkCheck/MilkCheck.csproj') -c $Configuration -o $module --nologo -v quiet
    # The packages get names of their own (MilkCheck.Private.*), so that no copy the session loaded can stand in
    # for them (src/MilkCheck.PrivateDeps/Program.cs says why).
    Invoke-Native dotnet run --project (Join-Path $root 'src/MilkCheck.PrivateDeps/MilkCheck.PrivateDeps.csproj') -c $Configuration -v quiet '--' `
        (Join-Path $module 'deps') (Join-Path $module 'MilkCheck.Engine.dll') (Join-Path $module 'MilkCheck.dll')
    foreach ($file in 'MilkCheck.psd1', 'MilkCheck.format.ps1xml', 'MilkCheck.types.ps1xml', 'MilkCheck.dll', 'MilkCheck.Engine.dll', 'deps/MilkCheck.Private.YamlDotNet.dll', 'deps/MilkCheck.Private.Renci.SshNet.dll') {
        if (-not (Test-Path (Join-Path $module $file))) { throw "Build output is incomplete: $file is missing from $module." }
    }
    # The licence and the changelog ship in the module; the changelog's section of this version is the manifest's ReleaseNotes.
    Copy-Item (Join-Path $root 'LICENSE'), (Join-Path $root 'CHANGELOG.md') -Destination $module
    Set-ReleaseNotes (Join-Path $module 'MilkCheck.psd1') (Join-Path $root 'CHANGELOG.md')
    # Help from docs/help (markdown per cmdlet + about topics), with the syntax read from the built cmdlets.
    $env:NO_COLOR = '1'
    & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'docs/help/ConvertTo-MamlHelp.ps1') -ModulePath $module -SourcePath (Join-Path $root 'docs/help') | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Generating the help failed (exit $LASTEXITCODE)." }
    Build-Command
    Write-Host "Module built: $module (Import-Module $module/MilkCheck.psd1; commands in $module/bin)"
}

# The C compiler Native AOT links with: clang when on PATH, else the newest versioned clang (Debian's clang-14...).
function Find-NativeLinker {
    if (Get-Command clang -ErrorAction SilentlyContinue) { return 'clang' }
    $versioned = Get-ChildItem -Path '/usr/bin' -Filter 'clang-*' -ErrorAction SilentlyContinue |
        Where-Object { $_.Name -match '^clang-\d+$' } | Sort-Object { [int]($_.Name -replace 'clang-', '') } -Descending
    if ($versioned) { return $versioned[0].Name }
    return $null
}

# bin/milkcheck (upstream's command) and bin/check_milkcheck (a link: the name implies --nagios). Native AOT when a
# linker is there (starts in milliseconds, needs no runtime); else framework-dependent (needs the .NET 10 runtime).
function Build-Command {
    $bin = Join-Path $module 'bin'
    $project = Join-Path $root 'src/MilkCheck.Cli/MilkCheck.Cli.csproj'
    $staging = Join-Path $out 'cli'
    if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
    $rid = if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 'linux-arm64' } else { 'linux-x64' }
    $linker = Find-NativeLinker
    if ($linker) {
        Invoke-Native dotnet publish $project -c $Configuration -r $rid -o $staging --nologo -v quiet `
            "-p:PublishAot=true" "-p:CppCompilerAndLinker=$linker"
    } else {
        Write-Warning 'No clang found for Native AOT: bin/milkcheck is framework-dependent and needs the .NET 10 runtime (install clang for a native one).'
        Invoke-Native dotnet publish $project -c $Configuration -r $rid --self-contained false -o $staging --nologo -v quiet
    }
    New-Item -ItemType Directory -Force -Path $bin | Out-Null
    Get-ChildItem $staging | Where-Object { $_.Extension -notin '.pdb', '.dbg' } | ForEach-Object {
        $name = if ($_.Name -eq 'MilkCheck.Cli') { 'milkcheck' } else { $_.Name }
        Move-Item -Force $_.FullName (Join-Path $bin $name)
    }
    Remove-Item -Recurse -Force $staging
    Push-Location $bin
    try { Invoke-Native ln -sf milkcheck check_milkcheck } finally { Pop-Location }
    if (-not (Test-Path (Join-Path $bin 'milkcheck'))) { throw "Build output is incomplete: bin/milkcheck is missing from $module." }
}

function Invoke-Install {
    $target = Join-Path $Prefix 'bin'
    if (-not (Test-Path (Join-Path $module 'bin/milkcheck'))) { Invoke-Build }
    New-Item -ItemType Directory -Force -Path $target | Out-Null
    foreach ($name in 'milkcheck', 'check_milkcheck') {
        # The link's own name is what the program sees: check_milkcheck implies --nagios.
        Invoke-Native ln -sfn (Join-Path $module 'bin/milkcheck') (Join-Path $target $name)
        Write-Host "Linked $(Join-Path $target $name) -> $(Join-Path $module 'bin/milkcheck')"
    }
}

# Replaces ReleaseNotes of the built manifest with the CHANGELOG.md section of its ModuleVersion ("## 0.1.0").
function Set-ReleaseNotes([string] $Manifest, [string] $Changelog) {
    $version = (Import-PowerShellDataFile $Manifest).ModuleVersion
    $text = Get-Content -Raw $Changelog
    $pattern = '(?ms)^## ' + [regex]::Escape($version) + '\s*$\s*(?<notes>.*?)(?=^## |\z)'
    if ($text -notmatch $pattern) { throw "CHANGELOG.md has no '## $version' section: add the release notes of version $version." }
    $notes = $Matches.notes.Trim().Replace("'", "''")
    $content = Get-Content -Raw $Manifest
    $replaced = $content -replace "ReleaseNotes = 'See CHANGELOG\.md\.'", "ReleaseNotes = '$($notes.Replace('$', '$$'))'"
    if ($replaced -eq $content) { throw "The manifest has no ReleaseNotes = 'See CHANGELOG.md.' line to replace." }
    Set-Content -Path $Manifest -Value $replaced -NoNewline
}

# out/package/MilkCheck.<version>.nupkg, installable with Install-PSResource from a local folder repository.
function Invoke-Package {
    Invoke-Build
    New-Package
}

function New-Package {
    $package = Join-Path $out 'package'
    if (Test-Path $package) { Remove-Item -Recurse -Force $package }
    New-Item -ItemType Directory -Path $package | Out-Null
    # Test-ModuleManifest first: a manifest it rejects must not be packaged. Symbols stay out of the package.
    $code = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
Test-ModuleManifest '$module/MilkCheck.psd1' | Out-Null
`$staging = Join-Path '$package' 'MilkCheck'
Copy-Item -Recurse '$module' `$staging
Get-ChildItem `$staging -Recurse -Filter *.pdb | Remove-Item
Compress-PSResource -Path `$staging -DestinationPath '$package'
Remove-Item -Recurse -Force `$staging
"@
    if ($code -ne 0) { throw "Packaging failed (exit $code)." }
    $nupkg = Get-ChildItem $package -Filter '*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw "Compress-PSResource wrote no .nupkg into $package." }
    Write-Host "Package: $($nupkg.FullName) (Install-PSResource MilkCheck -Repository <a PSResource repository on $package>)"
}

function Install-TestPrerequisites {
    if (Test-Path '/usr/sbin/sshd') { return }
    $uid = (& id -u)
    if ($uid -ne '0') {
        throw "The SSH tests need OpenSSH's server: install the Debian package 'openssh-server' (sudo apt-get install openssh-server) and run the tests again."
    }
    Write-Host 'Installing openssh-server (needed by the SSH tests)...'
    Invoke-Native apt-get update -qq
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get install -y -qq openssh-server
}

function Get-PesterModule {
    $tools = Join-Path $out 'tools'
    $psd1 = Join-Path $tools 'pester/6.2.0/tools/Pester.psd1'
    # Also the other package versions tests/pester/Isolation.Tests.ps1 and Ssh.Tests.ps1 load into a session.
    if (-not (Test-Path $psd1) -or -not (Test-Path (Join-Path $tools 'ssh.net/2024.2.0')) -or -not (Test-Path (Join-Path $tools 'ssh.net/2026.0.1'))) {
        Invoke-Native dotnet restore (Join-Path $root 'tests/pester/PesterRestore/PesterRestore.csproj') --packages $tools --nologo -v quiet
    }
    return $psd1
}

function Read-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -Raw $Path
    $counters = $trx.TestRun.ResultSummary.Counters
    return [pscustomobject]@{ Passed = [int] $counters.passed; Failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted }
}

function Read-NUnitCounts([string] $Path) {
    [xml] $xml = Get-Content -Raw $Path
    $cases = @($xml.SelectNodes('//test-case'))
    $passed = @($cases | Where-Object { $_.result -eq 'Success' }).Count
    $failed = @($cases | Where-Object { $_.result -in 'Failure', 'Error' }).Count
    return [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Invoke-Test {
    Invoke-Build
    New-Package # tests/pester/Package.Tests.ps1 installs it
    Install-TestPrerequisites
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Force -Path $results | Out-Null

    # Runs made by the tests keep their journals here, not in the user's ~/.local/state.
    $env:XDG_STATE_HOME = Join-Path $results 'state'
    $passed = 0; $failed = 0; $problems = [System.Collections.Generic.List[string]]::new()
    foreach ($project in 'MilkCheck.Engine.Tests', 'MilkCheck.Tests', 'MilkCheck.Cli.Tests') {
        $trx = Join-Path $results "$project.trx"
        & dotnet test (Join-Path $root "tests/$project/$project.csproj") -c $Configuration --nologo `
            --logger "trx;LogFileName=$project.trx" --logger 'console;verbosity=minimal' --results-directory $results
        $code = $LASTEXITCODE
        if (Test-Path $trx) {
            $counts = Read-TrxCounts $trx
            $passed += $counts.Passed; $failed += $counts.Failed
            if ($code -ne 0 -and $counts.Failed -eq 0) { $failed++; $problems.Add("${project}: dotnet test exited $code") }
        } else {
            $failed++; $problems.Add("${project}: no result file (build or runner failure, exit $code)")
        }
    }

    $pester = Get-PesterModule
    $pesterXml = Join-Path $results 'pester.xml'
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester'
`$c = New-PesterConfiguration
`$c.Run.Path = '$(Join-Path $root 'tests/pester')'
`$c.Run.Exit = `$false
`$c.Output.RenderMode = 'Plaintext'
`$c.Output.Verbosity = 'Normal'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputFormat = 'NUnitXml'
`$c.TestResult.OutputPath = '$pesterXml'
Invoke-Pester -Configuration `$c
"@
    $code = Invoke-ChildPwsh $script
    if (Test-Path $pesterXml) {
        $counts = Read-NUnitCounts $pesterXml
        $passed += $counts.Passed; $failed += $counts.Failed
    } else {
        $failed++; $problems.Add("Pester: no result file (exit $code)")
    }

    foreach ($problem in $problems) { Write-Host "FAILED TO RUN: $problem" }
    # The one closing line CI reads.
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $code = Invoke-ChildPwsh @"
Import-Module '$module/MilkCheck.psd1'
`$demo = '$root/examples/demo'
Write-Host '== The services of examples/demo: Get-MilkCheckService -Path examples/demo'
Get-MilkCheckService -Path `$demo | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
Write-Host '== Invoke-MilkCheckAction start -Path examples/demo -Summary  (one status line per service, as it finishes)'
Invoke-MilkCheckAction start -Path `$demo -Summary -ErrorAction SilentlyContinue -WarningAction SilentlyContinue -OutVariable r | Out-Host
Write-Host '== The results are objects: `$r | Where-Object Status -ne Done | Format-Table'
`$r | Where-Object Status -ne Done | Format-Table | Out-String | Write-Host
Write-Host '== Every node''s result: (`$r | Where-Object Service -eq compute).Nodes'
(`$r | Where-Object Service -eq compute).Nodes | Format-Table | Out-String | Write-Host
Write-Host '== Exit code for a scheduled job, as upstream: (`$r | Measure-MilkCheckResult).ExitCode'
(`$r | Measure-MilkCheckResult).ExitCode
Write-Host '== -WhatIf: the plan of stop (reversed order), nothing runs'
Invoke-MilkCheckAction stop -Path `$demo -WhatIf
Write-Host '== The dependency graph (upstream -g): Get-MilkCheckGraph -Path examples/demo'
Get-MilkCheckGraph -Path `$demo
Write-Host '== Expand-MilkCheckNodeSet ''node[1-3],login[01-02]'''
Expand-MilkCheckNodeSet 'node[1-3],login[01-02]'
Write-Host '== Compress-MilkCheckNodeSet of a list of names'
'rack1-node1','rack1-node2','rack2-node1','rack2-node2','login' | Compress-MilkCheckNodeSet
Write-Host '== Set operators, left to right: node[1-10]!node[3-5]&node[1-8]'
Compress-MilkCheckNodeSet 'node[1-10]!node[3-5]&node[1-8]'
Write-Host '== Counting: (Expand-MilkCheckNodeSet c[1-4]n[1-1000] | Measure-Object).Count'
(Expand-MilkCheckNodeSet 'c[1-4]n[1-1000]' | Measure-Object).Count
Write-Host '== A bad expression is a non-terminating error with its position'
Expand-MilkCheckNodeSet 'node[1-3','ok1' -ErrorAction Continue
Write-Host '== The services of a production-shaped configuration (examples/cluster)'
Get-MilkCheckService -Path '$root/examples/cluster' | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
Write-Host '== Only the storage tag, with their typed dependencies'
Get-MilkCheckService -Path '$root/examples/cluster' -Tag storage | ForEach-Object { `$s = `$_; `$s.Dependencies | Select-Object @{ n = 'Service'; e = { `$s.Name } }, @{ n = 'DependsOn'; e = { `$_.Name } }, Kind } | Format-Table | Out-String | Write-Host
Write-Host '== Test-MilkCheckConfig finds every problem with its position'
`$bad = Join-Path ([IO.Path]::GetTempPath()) "milkcheck-demo-`$PID"; New-Item -ItemType Directory -Force `$bad | Out-Null
Set-Content (Join-Path `$bad 'site.yaml') "services:``n  web:``n    require: [ db ]``n    actions: { start: { cmd: 'echo 90%' } }``n"
Test-MilkCheckConfig -Path `$bad | Format-Table -AutoSize -Wrap | Out-String -Width 160 | Write-Host
Remove-Item -Recurse -Force `$bad
"@
    if ($code -ne 0) { exit $code }
}

function Invoke-Bench {
    Invoke-Build
    $bench = Join-Path $root 'bench/MilkCheck.Bench/MilkCheck.Bench.csproj'
    Invoke-Native dotnet run -c Release --project $bench
    Write-Host ''
    Write-Host 'Import-Module of the built module in a fresh pwsh (5 runs each, median):'
    $baseline = @(); $import = @()
    foreach ($i in 1..5) {
        $baseline += (Measure-Command { & dotnet pwsh -NoProfile -NonInteractive -Command '$null' }).TotalMilliseconds
        $import += (Measure-Command { & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$module/MilkCheck.psd1'" }).TotalMilliseconds
    }
    $inside = foreach ($i in 1..5) {
        [double] (& dotnet pwsh -NoProfile -NonInteractive -Command "(Measure-Command { Import-Module '$module/MilkCheck.psd1' }).TotalMilliseconds")
    }
    $median = { param($values) ($values | Sort-Object)[[int][math]::Floor($values.Count / 2)] }
    [pscustomobject]@{ Measure = 'pwsh start (no module)'; MedianMs = [math]::Round((& $median $baseline), 0) },
    [pscustomobject]@{ Measure = 'pwsh start + Import-Module'; MedianMs = [math]::Round((& $median $import), 0) },
    [pscustomobject]@{ Measure = 'Measure-Command { Import-Module } (target < 300)'; MedianMs = [math]::Round((& $median $inside), 0) } |
        Format-Table -AutoSize | Out-String | Write-Host
}

function Invoke-Clean {
    if (Test-Path $out) { Remove-Item -Recurse -Force $out }
    foreach ($dir in 'src', 'tests', 'bench') {
        Get-ChildItem -Path (Join-Path $root $dir) -Directory -Recurse -Include 'bin', 'obj' -ErrorAction SilentlyContinue |
            Remove-Item -Recurse -Force
    }
}

Push-Location $root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Install' { Invoke-Install }
        'Clean' { Invoke-Clean }
        'Package' { Invoke-Package }
    }
} finally {
    Pop-Location
}
