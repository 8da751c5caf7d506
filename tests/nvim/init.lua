-- Drive `ordlint lsp` from a real Neovim (0.7 and later): open a C file, wait for ordlint's
-- diagnostics, pick ordlint's quick fix through vim.lsp.buf.code_action() (the chooser,
-- vim.ui.select, is answered by this script), wait for the re-lint, then write the buffer
-- and a JSON summary for the Rust test that started us (crates/ordlint/tests/lsp_nvim.rs).
--
-- Environment: ORDLINT_BIN (the binary), ORDLINT_FILE (the C file to open), ORDLINT_OUT
-- (where the buffer text goes), ORDLINT_SUMMARY (where the JSON summary goes).

local bin = assert(os.getenv('ORDLINT_BIN'), 'ORDLINT_BIN')
local file = assert(os.getenv('ORDLINT_FILE'), 'ORDLINT_FILE')
local out = assert(os.getenv('ORDLINT_OUT'), 'ORDLINT_OUT')
local summary_path = assert(os.getenv('ORDLINT_SUMMARY'), 'ORDLINT_SUMMARY')
local RULE = 'barrier-publication'

local function fail(msg)
  io.stderr:write('nvim driver: ' .. msg .. '\n')
  vim.cmd('cquit 3')
end

local function ordlint_diags(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'ordlint' and d.code == RULE then
      table.insert(found, d)
    end
  end
  return found
end

function ORDLINT_DRIVE()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'ordlint',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
  })
  if not client_id then
    return fail('could not start ordlint lsp')
  end
  vim.lsp.buf_attach_client(bufnr, client_id)

  if not vim.wait(20000, function() return #ordlint_diags(bufnr) > 0 end, 20) then
    return fail('no ' .. RULE .. ' diagnostic within 20 s')
  end
  local before = ordlint_diags(bufnr)[1]
  local lsp = (before.user_data or {}).lsp or {}
  local related = (lsp.relatedInformation or {})[1] or {}

  -- Choose ordlint's fix when the code action chooser opens.
  local offered = {}
  vim.ui.select = function(items, _, on_choice)
    for i, item in ipairs(items) do
      local action = item[2] or item.action or item
      table.insert(offered, action.title)
      if action.title and action.title:find('smp_store_release', 1, true) then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.api.nvim_win_set_cursor(0, { before.lnum + 1, before.col })
  vim.lsp.buf.code_action()
  if not vim.wait(10000, function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick end, 20) then
    return fail('the quick fix did not change the buffer; offered: ' .. vim.inspect(offered))
  end
  -- The server re-lints the edited text; the diagnostic must go away.
  local gone = vim.wait(10000, function() return #ordlint_diags(bufnr) == 0 end, 20)

  vim.fn.writefile(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), out)
  local summary = {
    nvim = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor),
    line = before.lnum,
    col = before.col,
    message = before.message,
    related_uri = (related.location or {}).uri,
    related_line = ((related.location or {}).range or {}).start and related.location.range.start.line,
    offered = offered,
    gone_after_fix = gone,
  }
  vim.fn.writefile({ vim.fn.json_encode(summary) }, summary_path)
  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  vim.cmd('qall!')
end

vim.cmd('autocmd VimEnter * ++once lua ORDLINT_DRIVE()')
