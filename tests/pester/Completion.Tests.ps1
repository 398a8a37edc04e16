BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
}

Describe 'Node group completion' {
    BeforeAll {
        $cfg = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'clustershell')).FullName
        Set-Content (Join-Path $cfg 'groups.conf') "[Main]`ndefault: local`n`n[local]`nmap: echo n1`nlist: echo compute admin`n"
        $saved = $env:CLUSTERSHELL_CFGDIR
        $env:CLUSTERSHELL_CFGDIR = $cfg
    }
    AfterAll { $env:CLUSTERSHELL_CFGDIR = $saved }

    It 'completes a quoted -Node word with the @groups of the default source and @source:group names' {
        Complete "Invoke-MilkCheckAction start -Node '@co" | Should -Be "'@compute'"
        Complete "Invoke-MilkCheckAction start -Node '@" | Should -Be @("'@compute'", "'@local:compute'", "'@admin'", "'@local:admin'")
    }

    It 'completes -ExcludeNode the same way' {
        Complete "Invoke-MilkCheckAction start -ExcludeNode '@local:a" | Should -Be "'@local:admin'"
    }
}

Describe 'Configuration completion' {
    BeforeAll {
        $conf = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'conf')).FullName
        Set-Content (Join-Path $conf 'web.yaml') "services: {web: {tags: [front, http], actions: {start: {cmd: 'true'}}}, db: {tags: [sql], actions: {status: {cmd: 'true'}}}}"
    }

    It 'completes -Tag with the tags of the configuration at -Path' {
        Complete "Invoke-MilkCheckAction start -Path '$conf' -Tag " | Should -Be @('front', 'http', 'sql')
    }

    It 'completes -Service and -Action from a -LiteralPath' {
        Complete "Invoke-MilkCheckAction -LiteralPath '$conf' st" | Should -Be @('start', 'status')
        Complete "Invoke-MilkCheckAction start -LiteralPath '$conf' -Service w" | Should -Be @('web')
    }
}
