module.exports = require('../../webpack.app.config')(__dirname, {
  // Read from disk at run time: the operator console (static files) and the SQL migrations.
  assets: [
    { input: './src/console', glob: '*.{html,js,css}', output: 'console' },
    { input: './src/app/database/migrations', glob: '*.sql', output: 'migrations' },
  ],
});
